"""Apps built with the parts TestConfig switches off — the rate limiter and the page cache — on, as
deployed, over the test database (so the ``world`` fixture's rows are there).

Each call is a new app: its own SimpleCache, as each gunicorn process has; the limiter (one object
for every app) is put back as the suite's app wants it afterwards.
"""

import ast
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from supervise import create_app
from supervise.extensions import db, limiter


@contextmanager
def production_like(app: Flask, config: str = "test", **overrides):
    """Yield an app like ``app`` (same database and uploads) with the limiter and the cache on."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CACHE_TYPE": "SimpleCache",
        "REDIS_URL": "",
        "JOBS_MODE": "eager",
        "SECRET_KEY": "test-secret-key-of-at-least-32-bytes",
        "SESSION_COOKIE_SECURE": False,
    }
    settings.update(overrides)
    previous = limiter.enabled
    # The first app that names default limits sets them on the one limiter for good: keep an override
    # such as RATELIMIT_DEFAULT to this app, not to every later test.
    manager = limiter.limit_manager
    limits = list(manager._default_limits), list(manager._application_limits)  # noqa: SLF001
    built = create_app(config, **settings)
    _fresh_counts()
    try:
        yield built
    finally:
        limiter.enabled = previous
        manager.set_default_limits(limits[0])
        manager.set_application_limits(limits[1])
        with built.app_context():
            db.engine.dispose()  # no connection left open to hold up the next test's cleanup


def _fresh_counts() -> None:
    """Start counting at zero, as a freshly started process does: the limiter is one object for every app
    of the suite, and an outage test may have left it counting in its in-memory fallback (Flask-Limiter
    leaves that mode only on its next successful check of the storage)."""
    limiter.reset()
    limiter._storage_dead = False  # noqa: SLF001 — no public way to leave the fallback
    if getattr(limiter, "_fallback_storage", None) is not None:
        limiter._fallback_storage.reset()  # noqa: SLF001


def config_from_environment(environment: dict[str, str], name: str):
    """``config.Config.<name>`` as a fresh interpreter reads it with ``environment`` set."""
    done = subprocess.run(
        [sys.executable, "-c", f"import config; print(repr(config.Config.{name}))"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return ast.literal_eval(done.stdout.strip())
