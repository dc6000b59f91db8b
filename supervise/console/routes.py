from supervise.console import bp  # noqa: F401
