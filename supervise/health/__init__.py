"""Probes for load balancers and the process supervisor: ``/healthz`` (the process answers) and
``/readyz`` (the database answers and is at the migrations' head; Redis answers when one is
configured). Both are cheap, never cached, never throttled and never touch the session, so a probe
every second from several balancers costs one small query and sets no cookie.

``/metrics`` (Prometheus) lives in :mod:`supervise.health.metrics` and is registered here too.
"""

from flask import Blueprint, Flask

bp = Blueprint("health", __name__)

from supervise.health import routes  # noqa: E402,F401  (the routes register on bp)


def register(app: Flask) -> None:
    """Register the probes and the metrics endpoint, outside the limiter and the CSRF check."""
    from supervise.extensions import csrf, limiter
    from supervise.health import metrics

    limiter.exempt(bp)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    metrics.init_app(app)
