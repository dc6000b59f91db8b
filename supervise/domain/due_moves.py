"""Due dates that follow a change of the working-day calendar.

A change (``CalendarChange``) records each changed day's status before and after. For the days after
the change was made, the open tickets whose deadlines lie on or after the earliest of them keep the
same number of working days and so move (:func:`deadlines.moved_by_calendar`); each moved ticket gets
a timeline event, which tells its unit. Days in the past are corrections of the record only: deadlines
already reached do not move.
"""

from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from supervise import times
from supervise.domain import deadlines
from supervise.domain.calendar import WorkingCalendar
from supervise.domain.clocks import OPEN_STATES
from supervise.domain.locales import speaking
from supervise.domain.workflow import claim, record
from supervise.extensions import db
from supervise.models import CalendarChange, CalendarDay, Ticket

ACTION = "due_moved"
#: The deadlines a calendar change moves, with the words the timeline uses for each.
DUES = {
    "accept_due": _l("The acceptance deadline"),
    "sign_due": _l("The signing deadline"),
    "handle_due": _l("The handling deadline"),
}


def changed_days(change: CalendarChange) -> dict[date, list]:
    """The change's days after the day it was made (the days whose status can still move a deadline)."""
    days = {date.fromisoformat(day): statuses for day, statuses in change.days.items()}
    return {day: statuses for day, statuses in days.items() if day > change.made_at.date()}


def calendars_around(change: CalendarChange) -> tuple[WorkingCalendar, WorkingCalendar]:
    """The calendar just before and just after ``change``: the stored one with every later change
    undone, then this one too."""
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
    overrides = {day: working for day, working in rows}
    later = db.session.scalars(
        select(CalendarChange).where(CalendarChange.id > change.id).order_by(CalendarChange.id.desc())
    )
    for undone in [*later, change]:
        if undone is change:
            after = WorkingCalendar(dict(overrides))
        for day, (old, _new) in undone.days.items():
            if old is None:
                overrides.pop(date.fromisoformat(day), None)
            else:
                overrides[date.fromisoformat(day)] = old
    return WorkingCalendar(overrides), after


def affected(first: date, made_at: datetime, after_id: int, limit: int) -> list[Ticket]:
    """The next ``limit`` open tickets (by id, after ``after_id``) with a deadline on or after ``first``
    that were last given their deadlines before the change (dispatched, or filed, before it)."""
    start = datetime.combine(first, datetime.min.time())
    return list(
        db.session.scalars(
            select(Ticket)
            .where(
                Ticket.id > after_id,
                Ticket.state.in_(OPEN_STATES),
                or_(Ticket.handle_due >= start, Ticket.sign_due >= start, Ticket.accept_due >= start),
                or_(Ticket.dispatched_at < made_at, Ticket.dispatched_at.is_(None) & (Ticket.created_at < made_at)),
            )
            .order_by(Ticket.id)
            .limit(limit)
        )
    )


def move(ticket: Ticket, before: WorkingCalendar, after: WorkingCalendar, first: date, at: datetime) -> bool:
    """Move ``ticket``'s deadlines for the change; a timeline event says which moved, from when to when.
    False (and nothing written) when none moves."""
    lines, data = [], {}
    with speaking(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for name, what in DUES.items():
            due = getattr(ticket, name)
            moved = deadlines.moved_by_calendar(before, after, first, due) if due else None
            if moved is None or moved == due:
                continue
            setattr(ticket, name, moved)
            data[name] = times.iso(moved)
            lines.append(
                str(
                    _l(
                        "%(what)s moved from %(old)s to %(new)s for a change of the holiday calendar.",
                        what=what,
                        old=times.human_day(due),
                        new=times.human_day(moved),
                    )
                )
            )
    if not lines:
        return False
    claim(ticket)
    record(ticket, ACTION, None, ticket.state, ticket.state, at, "\n".join(lines), public=True, data=data)
    return True


def first_day(change: CalendarChange) -> date | None:
    days = changed_days(change)
    return min(days) if days else None
