"""Background jobs: how they are handed over (RQ on Redis, or in-process without Redis).

Job functions take ids and can run twice. ``enqueue`` never raises for an unreachable Redis: the
work is already recorded in the database (the outbox, the schedule) and the relay hands it over
again later.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, has_app_context

log = logging.getLogger(__name__)

MAIL_QUEUE = "mail"
DEFAULT_QUEUE = "default"
QUEUES = (MAIL_QUEUE, DEFAULT_QUEUE)
JOB_TIMEOUT = 300


def mode() -> str:
    """``rq`` when REDIS_URL is set, else ``eager`` (tests) or ``thread`` (the embedded default)."""
    if current_app.config.get("JOBS_MODE"):
        return current_app.config["JOBS_MODE"]
    return "rq" if current_app.config.get("REDIS_URL") else "thread"


def redis_connection():
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)


def get_queue(name: str):
    from rq import Queue

    return Queue(name, connection=redis_connection(), default_timeout=JOB_TIMEOUT)


def enqueue(func: Callable, *args: Any, queue: str = DEFAULT_QUEUE) -> bool:
    """Hand ``func(*args)`` to the workers; False when that could not be done now."""
    how = mode()
    if how == "eager":
        func(*args)
        return True
    if how == "thread":
        from supervise.jobs import embedded

        embedded.submit(current_app._get_current_object(), func, *args)
        return True
    try:
        get_queue(queue).enqueue(func, *args, job_timeout=JOB_TIMEOUT, failure_ttl=7 * 24 * 3600)
        return True
    except Exception as err:  # Redis down: the relay will hand it over later
        log.warning("could not enqueue %s%r: %s", func.__name__, args, err)
        return False


def job(func: Callable) -> Callable:
    """Make ``func`` a job: it runs in an application context, creating one if there is none.

    Where a context exists (an RQ work horse forked from ``flask worker``, the embedded thread, a
    test) the caller owns the session's lifetime.
    """

    @wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from supervise.extensions import db

        if has_app_context():
            return func(*args, **kwargs)
        from supervise import create_app

        with create_app().app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    return wrapped
