"""Hand new rows to the queue right after the transaction that wrote them commits.

The outbox and the cross-zone forwards share this: rows written in a request or a job are collected at
each flush, enqueued once the commit has made them visible to the workers, and forgotten on a rollback.
What cannot be enqueued then (Redis down, a crash) waits for the periodic relay of its own kind.
"""

from collections.abc import Callable
from typing import Any

from flask import current_app

_installed: set[type] = set()


def hand_over_after_commit(model: type, hand_over: Callable[[Any], None]) -> None:
    """After each commit, call ``hand_over(row)`` for every new ``model`` row it wrote (once per model,
    however many apps are made). In the eager jobs mode the writer has run the job itself."""
    from flask_sqlalchemy.session import Session
    from sqlalchemy import event

    if model in _installed:
        return
    _installed.add(model)
    key = f"new:{model.__name__}"

    def collect(session, flush_context) -> None:
        new = [obj for obj in session.new if isinstance(obj, model)]
        if new:
            session.info.setdefault(key, []).extend(new)

    def after_commit(session) -> None:
        # No SQL here: the transaction is over.
        rows = session.info.pop(key, [])
        if not rows or current_app.config.get("JOBS_MODE") == "eager":
            return
        for row in rows:
            if row.id is not None:
                hand_over(row)

    def forget(session, transaction) -> None:
        session.info.pop(key, None)

    event.listen(Session, "after_flush", collect)
    event.listen(Session, "after_commit", after_commit)
    event.listen(Session, "after_soft_rollback", forget)
