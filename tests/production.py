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
    built = create_app(config, **settings)
    with built.app_context():
        limiter.reset()  # a fresh process starts counting at zero; earlier tests' requests don't count
    try:
        yield built
    finally:
        limiter.enabled = previous
        with built.app_context():
            db.engine.dispose()  # no connection left open to hold up the next test's cleanup


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
