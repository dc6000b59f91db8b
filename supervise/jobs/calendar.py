"""The job that moves the open tickets' due dates after a change of the working-day calendar."""

from sqlalchemy import select

from supervise.domain import due_moves
from supervise.domain.calendar import forget_cached_calendar
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.jobs import after_commit, enqueue, job, mode
from supervise.models import CalendarChange

BATCH = 500


@job
def apply_calendar_changes(change_id: int) -> int:
    """Move the due dates for every change not yet applied, up to ``change_id``, in the order they were
    made; the number of tickets moved.

    Idempotent: each batch of tickets is committed with the id it reached (``done_through``), and a
    finished change is marked ``applied_at``: a second run, or a run after a crash, moves no ticket twice.
    """
    moved = 0
    pending = db.session.scalars(
        select(CalendarChange)
        .where(CalendarChange.id <= change_id, CalendarChange.applied_at.is_(None))
        .order_by(CalendarChange.id)
    ).all()
    for change in pending:
        moved += _apply(change)
    return moved


def _apply(change: CalendarChange) -> int:
    forget_cached_calendar()
    first = due_moves.first_day(change)
    moved = 0
    if first is not None:
        before, after = due_moves.calendars_around(change)
        while batch := due_moves.affected(first, change.made_at, change.done_through, BATCH):
            at = now()
            count = sum(due_moves.move(ticket, before, after, first, at) for ticket in batch)
            change.done_through, change.moved = batch[-1].id, change.moved + count
            db.session.commit()
            moved += count
    change.applied_at = now()
    db.session.commit()
    return moved


def hand_over(change_id: int) -> None:
    """Called by the writer after its commit: in the eager jobs mode (tests) the job runs now; otherwise
    the after-commit hand-over (below) has enqueued it already."""
    if mode() == "eager":
        apply_calendar_changes(change_id)


def install_hooks() -> None:
    """Enqueue the job for each new calendar change right after the transaction that wrote it commits."""
    after_commit.hand_over_after_commit(CalendarChange, lambda row: enqueue(apply_calendar_changes, row.id))
