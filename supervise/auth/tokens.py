from supervise.auth import bp  # noqa: F401
