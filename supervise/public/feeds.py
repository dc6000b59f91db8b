from supervise.public import bp  # noqa: F401
