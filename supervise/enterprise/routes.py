from supervise.enterprise import bp  # noqa: F401
