"""Jobs without Redis: one worker thread and one schedule thread inside the web process.

The worker thread is a daemon, so a short-lived process (a ``flask`` command such as ``seed`` or
``calendar-sync``) waits for it at exit: what it handed over is done before the process ends, not
left to the outbox relay's lease or, for work no relay takes again, undone."""

import atexit
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

_tasks: "queue.Queue[tuple[Flask, Callable, tuple]]" = queue.Queue()
_lock = threading.Lock()
_worker: threading.Thread | None = None
_scheduler: threading.Thread | None = None
_stop = threading.Event()
_scheduler_stop = threading.Event()
#: How long a process waits at exit for the jobs it handed over (each takes milliseconds).
EXIT_WAIT_SECONDS = 120.0


def submit(app: Flask, func: Callable, *args: Any) -> None:
    _ensure_worker()
    _tasks.put((app, func, args))


def _ensure_worker() -> None:
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            if _worker is None:
                atexit.register(_finish_at_exit)
            _worker = threading.Thread(target=_work, name="supervise-jobs", daemon=True)
            _worker.start()


def _work() -> None:
    from supervise.extensions import db

    while not _stop.is_set():
        try:
            app, func, args = _tasks.get(timeout=0.5)
        except queue.Empty:
            continue
        with app.app_context():
            try:
                func(*args)
            except Exception:
                log.exception("job %s%r failed", getattr(func, "__name__", func), args)
            finally:
                db.session.remove()
                _tasks.task_done()


def drain(timeout: float = 10.0) -> None:
    """Wait until every submitted job has run (tests, shutdown)."""
    deadline = time.monotonic() + timeout
    while _tasks.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.02)


def _finish_at_exit() -> None:
    drain(EXIT_WAIT_SECONDS)
    if _tasks.unfinished_tasks:
        log.warning("%s jobs not done at exit; the relay takes the deliveries again", _tasks.unfinished_tasks)


def start_scheduler(app: Flask, tick_seconds: float = 20.0) -> None:
    """Run the periodic schedule in a thread: each entry when its cron expression comes due."""
    global _scheduler
    from croniter import croniter

    from supervise.jobs.schedule import SCHEDULE

    def loop() -> None:
        nexts = {entry.name: croniter(entry.cron, datetime.now()).get_next(datetime) for entry in SCHEDULE}
        with app.app_context():  # run once at start so a fresh demo shows its warnings at once
            for entry in SCHEDULE:
                if entry.run_at_start:
                    submit(app, entry.func)
        while not _scheduler_stop.wait(tick_seconds):
            current = datetime.now()
            for entry in SCHEDULE:
                if current >= nexts[entry.name]:
                    nexts[entry.name] = croniter(entry.cron, current).get_next(datetime)
                    submit(app, entry.func)

    with _lock:
        if _scheduler is None or not _scheduler.is_alive():
            _scheduler = threading.Thread(target=loop, name="supervise-schedule", daemon=True)
            _scheduler.start()


def stop_scheduler(timeout: float = 5.0) -> None:
    """Stop the schedule thread (tests; a clean shutdown)."""
    global _scheduler
    _scheduler_stop.set()
    if _scheduler is not None:
        _scheduler.join(timeout)
    _scheduler = None
    _scheduler_stop.clear()
