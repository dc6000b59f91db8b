from supervise.admin import bp  # noqa: F401
