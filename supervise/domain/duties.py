"""Duties that are not tickets, held to the working-day calendar: reports due on a day of the month,
deadlines of milestones and tasks, and the warnings raised on them once each.

The registers (key projects, the responsibility list, the rectification ledger, …) keep their own
due dates; this module says when a monthly report is due, how late a duty is, records each warning
once per subject, kind and deadline, and tells the unit that owes it (escalating to the supervisors
at red), through the outbox like every message.
"""

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from supervise.domain import deadlines, notify
from supervise.domain.calendar import WorkingCalendar
from supervise.extensions import db
from supervise.models import Role, User
from supervise.models.duty import DutyAlert

#: Monthly reports are due by this day of the month (moved to the next working day when it is not one).
MONTHLY_REPORT_DAY = 5
ORANGE_AFTER_DAYS = 1  # late by this many working days: the unit's leader hears too
RED_AFTER_DAYS = 5  # late by this many working days: the supervisors hear too

Compose = Callable[[], tuple[str, str]]


def monthly_report_due(cal: WorkingCalendar, year: int, month: int, day: int = MONTHLY_REPORT_DAY) -> date:
    """The day a monthly report is due: the ``day``-th of the month, or the next working day after it
    when that day is a weekend or a holiday (a report due on 5 October is due on the 8th)."""
    return cal.add_working_days(date(year, month, day), 0)


def lateness(cal: WorkingCalendar, due: date, at: datetime) -> int | None:
    """Working days ``at`` is past the end of ``due``; None while the duty is not yet late."""
    if at <= deadlines.end_of(due):
        return None
    return max(cal.working_days_between(due, at.date()), 1)


def overdue_level(cal: WorkingCalendar, due: date, at: datetime) -> str | None:
    """``yellow`` the first working day late, ``orange`` from the next, ``red`` from five working days
    late; None while not late."""
    late = lateness(cal, due, at)
    if late is None:
        return None
    if late >= RED_AFTER_DAYS:
        return "red"
    return "orange" if late > ORANGE_AFTER_DAYS else "yellow"


def raise_once(
    subject: str, subject_id: int, kind: str, due_key: str, at: datetime, unit_id: int | None = None
) -> bool:
    """Record warning ``kind`` for ``subject``/``subject_id`` and its deadline ``due_key`` once;
    False when it was raised before (any number of job runs, or two at once, raise it once)."""
    savepoint = db.session.begin_nested()
    try:
        alert = DutyAlert(
            subject=subject, subject_id=subject_id, kind=kind, due_key=due_key, unit_id=unit_id, raised_at=at
        )
        db.session.add(alert)
        db.session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        return False
    return True


def resolve(subject: str, subject_id: int, due_key: str, at: datetime) -> int:
    """The duty was done: its open warnings for ``due_key`` are resolved (they stay on record)."""
    result = db.session.execute(
        update(DutyAlert)
        .where(
            DutyAlert.subject == subject,
            DutyAlert.subject_id == subject_id,
            DutyAlert.due_key == due_key,
            DutyAlert.resolved_at.is_(None),
        )
        .values(resolved_at=at)
    )
    return result.rowcount or 0


def audience(unit_id: int | None, level: str) -> list[User]:
    """Who hears of a warning at ``level``: the unit's handlers at yellow, its leaders too from orange,
    the supervisors too at red."""
    roles = [Role.HANDLER] if level == "yellow" else [Role.HANDLER, Role.LEADER]
    users: list[User] = []
    if unit_id is not None:
        users += db.session.scalars(
            select(User).where(User.unit_id == unit_id, User.role.in_(roles), User.active.is_(True)).order_by(User.id)
        )
    if level == "red" or unit_id is None:
        users += db.session.scalars(
            select(User).where(User.role == Role.SUPERVISOR, User.active.is_(True)).order_by(User.id)
        )
    return users


def warn(
    subject: str,
    subject_id: int,
    due: date,
    at: datetime,
    cal: WorkingCalendar,
    compose: Compose,
    link: str,
    unit_id: int | None = None,
    extra: list[User] | None = None,
) -> str | None:
    """Raise the warning a late duty has earned by ``at`` (once per level and deadline) and tell its
    audience (plus ``extra``, e.g. the project's chief service officer); returns the level raised now,
    or None. ``compose()`` gives the message's (subject, body) in each reader's language."""
    level = overdue_level(cal, due, at)
    if level is None or not raise_once(subject, subject_id, level, due.isoformat(), at, unit_id):
        return None
    readers = {u.id: u for u in [*audience(unit_id, level), *(extra or [])]}
    for user in readers.values():
        notify.tell_user(f"duty:{subject}:{subject_id}:{due.isoformat()}:{level}", user, compose, link)
    return level
