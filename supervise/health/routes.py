"""``/healthz`` and ``/readyz``: answers in JSON, ``Cache-Control: no-store``, no session."""

import logging
from typing import Any

from flask import current_app, jsonify
from sqlalchemy import text

from supervise.extensions import db
from supervise.health import bp

log = logging.getLogger(__name__)

# Seconds a probe waits for Redis: a balancer's probe must answer well within its own timeout.
REDIS_TIMEOUT_SECONDS = 1.0


def _answer(body: dict[str, Any], status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
def healthz():
    """The process answers requests (liveness): nothing else is checked, so a database outage does not
    get every web process restarted."""
    return _answer({"status": "ok"}, 200)


@bp.route("/readyz")
def readyz():
    """Ready to serve (readiness): 200 ``ok``, 200 ``degraded`` (Redis configured and not answering —
    the platform works on without it: jobs wait in the outbox, limits count in memory) or 503 ``down``
    (the database does not answer or is not at the migrations' head)."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    if checks["database"] != "ok":
        status, code = "down", 503
    elif checks["redis"] not in ("ok", "not configured"):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return _answer({"status": status, "checks": checks}, code)


def _check_database() -> str:
    """``ok``, ``behind migrations`` or ``unreachable``, asked through the request's own session (the same
    pool the pages use; it is given back when the request ends)."""
    try:
        revisions = set(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception as err:  # any driver error means the same thing to a balancer
        log.warning("readiness: database unreachable: %s", err)
        db.session.rollback()
        return "unreachable"
    return "ok" if revisions == _head_revisions() else "behind migrations"


def _head_revisions() -> set[str]:
    """The migration heads of this code, read once per process (the scripts do not change under it)."""
    heads = current_app.extensions.get("supervise_migration_heads")
    if heads is None:
        from alembic.script import ScriptDirectory

        heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
        current_app.extensions["supervise_migration_heads"] = heads
    return heads


def _check_redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    from redis import Redis

    try:
        client = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as err:
        log.warning("readiness: Redis unreachable: %s", err)
        return "unreachable"
    return "ok"
