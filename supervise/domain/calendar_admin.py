"""Maintenance of the stored working-day calendar.

Every change an administrator makes (a day set or cleared, a year loaded from the package) is kept as a
:class:`CalendarChange`: after the commit, a job moves the due dates of the open tickets it affects
(``supervise.jobs.calendar``)."""

from datetime import date

from supervise.domain import reference
from supervise.domain.calendar import package_overrides
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import CalendarChange, CalendarDay, User


def _status(row: CalendarDay | None) -> bool | None:
    return None if row is None else row.is_workday


def _record_change(days: dict[date, tuple[bool | None, bool | None]], by: User | None) -> CalendarChange | None:
    """The change of status of ``days`` (before, after); none when no day changes its status."""
    changed = {day.isoformat(): [old, new] for day, (old, new) in sorted(days.items()) if old != new}
    if not changed:
        return None
    change = CalendarChange(days=changed, made_at=now(), made_by_id=by and by.id)
    db.session.add(change)
    return change


def sync_from_package(years: list[int], by: User | None = None, *, moves_due_dates: bool = False) -> int:
    """Store the package's holidays and make-up days for ``years``; admin corrections are kept.

    ``moves_due_dates``: record the change so that the open tickets' due dates follow it (an
    administrator's or the operator's load; the seed of an empty database has nothing to move)."""
    count = 0
    statuses: dict[date, tuple[bool | None, bool | None]] = {}
    for day, (is_workday, name) in sorted(package_overrides(years).items()):
        row = db.session.get(CalendarDay, day)
        if row is not None and row.source == "admin":
            continue
        statuses[day] = (_status(row), is_workday)
        if row is None:
            row = CalendarDay(day=day)
            db.session.add(row)
        row.is_workday, row.name, row.source = is_workday, name, "package"
        count += 1
    if moves_due_dates:
        _record_change(statuses, by)
    reference.changed()
    return count


def set_day(day: date, is_workday: bool, name: str, by: User | None) -> CalendarDay:
    """An administrator's correction; it wins over the package from now on."""
    row = db.session.get(CalendarDay, day)
    _record_change({day: (_status(row), is_workday)}, by)
    row = row or CalendarDay(day=day)
    row.is_workday, row.name, row.source, row.updated_by_id = is_workday, name, "admin", by and by.id
    db.session.add(row)
    reference.changed()
    return row


def clear_day(day: date, by: User | None = None) -> None:
    """Forget a correction: the day falls back to the weekend rule."""
    row = db.session.get(CalendarDay, day)
    if row is not None:
        _record_change({day: (row.is_workday, None)}, by)
        db.session.delete(row)
    reference.changed()
