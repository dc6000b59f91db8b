"""Background jobs: how they are handed over (RQ on Redis, or in-process without Redis).

Job functions take ids and can run twice. ``enqueue`` and ``enqueue_many`` never raise for an
unreachable Redis: the work is already recorded in the database (the outbox, the schedule) and the
relay hands it over again later. Every hand-over of a process goes through one connection pool per
Redis URL (:func:`redis_connection`), and the calls collected in a :func:`batch` (such as everything a
commit hands over, see :mod:`supervise.jobs.after_commit`) go to Redis in one pipeline.
"""

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, NamedTuple

from flask import current_app, has_app_context

log = logging.getLogger(__name__)

MAIL_QUEUE = "mail"
DEFAULT_QUEUE = "default"
QUEUES = (MAIL_QUEUE, DEFAULT_QUEUE)
JOB_TIMEOUT = 300
FAILURE_TTL = 7 * 24 * 3600


class Call(NamedTuple):
    """One job to hand over: ``func(*args)`` on ``queue``."""

    func: Callable
    args: tuple = ()
    queue: str = DEFAULT_QUEUE


def mode() -> str:
    """``rq`` when REDIS_URL is set, else ``eager`` (tests) or ``thread`` (the embedded default)."""
    if current_app.config.get("JOBS_MODE"):
        return current_app.config["JOBS_MODE"]
    return "rq" if current_app.config.get("REDIS_URL") else "thread"


_pools: dict[tuple[int, str], Any] = {}
_pools_lock = threading.Lock()


def redis_connection():
    """A client on this process's connection pool for REDIS_URL: connections are opened once and
    reused by every request and job of the process (a forked child makes its own pool)."""
    from redis import ConnectionPool, Redis

    url = current_app.config["REDIS_URL"]
    key = (os.getpid(), url)
    pool = _pools.get(key)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=5)
                _pools[key] = pool
    return Redis(connection_pool=pool)


def get_queue(name: str, connection=None):
    from rq import Queue

    return Queue(name, connection=connection or redis_connection(), default_timeout=JOB_TIMEOUT)


_batch: ContextVar[list[Call] | None] = ContextVar("jobs_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Collect every :func:`enqueue` inside the block and hand them over at its end, in one pipeline.
    Inside the block ``enqueue`` answers True: what Redis does not take, the relay hands over later."""
    if _batch.get() is not None:  # already collecting: the outer block hands over
        yield
        return
    calls: list[Call] = []
    token = _batch.set(calls)
    try:
        yield
    finally:
        _batch.reset(token)
    enqueue_many(calls)


def enqueue(func: Callable, *args: Any, queue: str = DEFAULT_QUEUE) -> bool:
    """Hand ``func(*args)`` to the workers; False when that could not be done now."""
    calls = _batch.get()
    if calls is not None:
        calls.append(Call(func, args, queue))
        return True
    return enqueue_many([Call(func, args, queue)])


def enqueue_many(calls: Iterable[Call]) -> bool:
    """Hand all ``calls`` to the workers at once (with RQ: one pipeline, one round trip on a pooled
    connection); False when that could not be done now."""
    calls = list(calls)
    if not calls:
        return True
    how = mode()
    if how == "eager":
        for call in calls:
            call.func(*call.args)
        return True
    if how == "thread":
        from supervise.jobs import embedded

        for call in calls:
            embedded.submit(current_app._get_current_object(), call.func, *call.args)
        return True
    try:
        _pipelined(calls)
        return True
    except Exception as err:  # Redis down: the relay will hand it over later
        log.warning("could not enqueue %s: %s", ", ".join(f"{c.func.__name__}{c.args!r}" for c in calls), err)
        return False


def _pipelined(calls: list[Call]) -> None:
    from rq import Queue

    connection = redis_connection()
    by_queue: dict[str, list[Call]] = {}
    for call in calls:
        by_queue.setdefault(call.queue, []).append(call)
    with connection.pipeline() as pipe:
        for name, queued in by_queue.items():
            queue = get_queue(name, connection)
            queue.enqueue_many(
                [Queue.prepare_data(c.func, c.args, timeout=JOB_TIMEOUT, failure_ttl=FAILURE_TTL) for c in queued],
                pipeline=pipe,
            )
        pipe.execute()


def job(func: Callable) -> Callable:
    """Make ``func`` a job: it runs in an application context, creating one if there is none.

    Where a context exists (the worker of ``flask worker``, which gives each job a fresh one, the
    embedded thread, a test) the caller owns the session's lifetime.
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
