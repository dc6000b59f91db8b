from supervise.unit import bp  # noqa: F401
