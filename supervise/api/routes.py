from supervise.api import bp  # noqa: F401
