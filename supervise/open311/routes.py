from supervise.open311 import bp  # noqa: F401
