"""Hand new rows to the queue right after the transaction that wrote them commits.

The outbox and the cross-zone forwards share this (and any job module whose rows need it): rows written
in a request or a job are collected at each flush, handed over once the commit has made them visible to
the workers, and forgotten on a rollback. Everything one commit hands over goes to Redis together, in
one pipeline on the process's pooled connection (:func:`supervise.jobs.batch`). What cannot be enqueued
then (Redis down, a crash) waits for the periodic relay of its own kind.
"""

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import inspect

from supervise import jobs

#: model -> (hand-over, whether it takes the commit's rows at once)
_hand_overs: dict[type, tuple[Callable, bool]] = {}
_KEY = "jobs:new-rows"


def hand_over_after_commit(model: type, hand_over: Callable[[Any], None], *, per_commit: bool = False) -> None:
    """After each commit, call ``hand_over(row)`` for every new ``model`` row it wrote, or, with
    ``per_commit``, ``hand_over(rows)`` once with all of them (to make one job of them). Registered once
    per model, however many apps are made. ``hand_over`` runs after the transaction: it may enqueue
    (``jobs.enqueue``) but must not query. In the eager jobs mode the writer has run the job itself."""
    if model not in _hand_overs:
        _hand_overs[model] = (hand_over, per_commit)
    _install()


_installed = False


def _install() -> None:
    global _installed
    if _installed:
        return
    from flask_sqlalchemy.session import Session
    from sqlalchemy import event

    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _forget)
    _installed = True


def _collect(session, flush_context) -> None:
    new = [obj for obj in session.new if type(obj) in _hand_overs]
    if new:
        session.info.setdefault(_KEY, []).extend(new)


def _after_commit(session) -> None:
    # No SQL here: the transaction is over (the rows' attributes are still loaded).
    rows = session.info.pop(_KEY, [])
    if not rows or current_app.config.get("JOBS_MODE") == "eager":
        return
    by_model: dict[type, list] = {}
    for row in rows:
        if row.id is not None:
            by_model.setdefault(type(row), []).append(row)
    with jobs.batch():
        for model, written in by_model.items():
            hand_over, per_commit = _hand_overs[model]
            if per_commit:
                hand_over(written)
            else:
                for row in written:
                    hand_over(row)


def _forget(session, transaction) -> None:
    """A rollback takes back only the rows it discarded: all of them at the end of a transaction, a
    savepoint's own (a duplicate refused inside ``begin_nested``) in the middle of one, whose earlier
    rows are still to be committed and handed over."""
    rows = session.info.pop(_KEY, [])
    kept = [row for row in rows if inspect(row).persistent]
    if kept:
        session.info[_KEY] = kept
