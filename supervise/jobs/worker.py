"""The RQ worker of ``flask worker``: it does not fork, and it is kept alive across Redis outages.

RQ's default worker forks a work horse for every job, which then opens its own database, Redis and SMTP
connections and throws them away: a few jobs a second. This one is RQ's ``SimpleWorker``: each job runs
in the worker process itself, in a fresh application context (its own database session, removed after
the job), on the process's database pool, Redis pool and one kept SMTP connection. A job that runs over
its timeout is still stopped (RQ's SIGALRM death penalty); a worker that dies loses nothing, since the
outbox still knows what was not sent.

RQ's own loop waits for Redis only while it is idle; a worker that loses Redis in the middle of a job
(or while reporting one) logs "unhandled exception, quitting" and returns. Here the worker then waits
for Redis with backoff and starts a new work loop under the same name: nothing is lost meanwhile, since
every delivery is recorded in the outbox and the relay hands over again what Redis forgot.
"""

import logging
import time
from collections.abc import Callable

import redis
from flask import Flask, current_app
from rq import SimpleWorker, Worker
from rq.exceptions import StopRequested

from supervise.jobs import get_queue, redis_connection, smtp

log = logging.getLogger(__name__)

FIRST_WAIT_SECONDS = 1.0
LONGEST_WAIT_SECONDS = 30.0


class AppWorker(SimpleWorker):
    """An RQ worker that runs each job in this process, in a fresh context of ``app``, and remembers
    whether it was asked to stop (SIGINT, SIGTERM)."""

    stop_asked = False
    app: Flask

    def request_stop(self, signum, frame):
        self.stop_asked = True
        super().request_stop(signum, frame)

    def perform_job(self, job, queue, execution) -> bool:
        from supervise.extensions import db

        with self.app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()  # the connection goes back to the pool, the session's objects go


def wait_for_redis(connection: redis.Redis, stopping: Callable[[], bool] = lambda: False) -> bool:
    """True once Redis answers, trying again after 1, 2, 4 … up to 30 seconds; False if ``stopping()``."""
    wait = FIRST_WAIT_SECONDS
    while not stopping():
        try:
            connection.ping()
            return True
        except redis.RedisError as err:
            log.warning("Redis cannot be reached (%s); trying again in %.0f s", err, wait)
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_SECONDS)
    return False


def _finish(worker: Worker) -> None:
    """The teardown RQ could not do without Redis: the old worker's record and its command channel."""
    try:
        worker.register_death()
        worker.unsubscribe()
    except redis.RedisError as err:
        log.warning("could not clean up worker %s: %s", worker.name, err)


def work(queue_names: list[str], name: str | None = None, burst: bool = False) -> None:
    """Work on ``queue_names`` (in order) until stopped; with ``burst``, until they are empty. Runs in
    the application context of ``flask worker``; each job gets a fresh one of the same app."""
    app = current_app._get_current_object()
    _commit_without_waiting_for_the_disk()
    try:
        _work(app, queue_names, name, burst)
    finally:
        smtp.close()


def _commit_without_waiting_for_the_disk() -> None:
    """On PostgreSQL the worker's commits do not wait for the WAL flush (``synchronous_commit=off``):
    a delivery commits once per message, and waiting for the disk each time would bound the rate. A
    database crash may forget the last fraction of a second of "sent" marks; those messages are sent
    again with the same Message-ID (jobs are idempotent, nothing is lost)."""
    from sqlalchemy import event

    from supervise.extensions import db

    engine = db.engine
    if engine.dialect.name != "postgresql" or event.contains(engine, "connect", _no_sync_commit):
        return
    event.listen(engine, "connect", _no_sync_commit)
    engine.dispose()  # connections opened before this have the server's setting


def _no_sync_commit(dbapi_connection, connection_record) -> None:
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    dbapi_connection.autocommit = autocommit


def _work(app: Flask, queue_names: list[str], name: str | None, burst: bool) -> None:
    pause = FIRST_WAIT_SECONDS
    while True:
        connection = redis_connection()
        worker = AppWorker([get_queue(q) for q in queue_names], connection=connection, name=name)
        worker.app = app
        started = time.monotonic()
        try:
            worker.work(burst=burst, with_scheduler=False)
        except redis.RedisError as err:  # raised by RQ's teardown, after its loop already quit
            log.warning("worker %s lost Redis: %s", worker.name, err)
        if burst or worker.stop_asked:
            return
        log.warning("worker %s quit without being asked; starting again once Redis answers", worker.name)
        try:
            # A loop that keeps quitting at once for another reason must not spin: pause, longer each time.
            pause = FIRST_WAIT_SECONDS if time.monotonic() - started > 60 else min(pause * 2, LONGEST_WAIT_SECONDS)
            time.sleep(pause)
            if not wait_for_redis(connection, lambda stopped=worker: stopped.stop_asked):
                return
        except StopRequested:  # asked to stop while waiting (RQ's signal handlers are still installed)
            return
        _finish(worker)
