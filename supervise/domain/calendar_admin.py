"""Maintenance of the stored working-day calendar."""

from datetime import date

from supervise.domain import reference
from supervise.domain.calendar import package_overrides
from supervise.extensions import db
from supervise.models import CalendarDay, User


def sync_from_package(years: list[int]) -> int:
    """Store the package's holidays and make-up days for ``years``; admin corrections are kept."""
    count = 0
    for day, (is_workday, name) in sorted(package_overrides(years).items()):
        row = db.session.get(CalendarDay, day)
        if row is not None and row.source == "admin":
            continue
        if row is None:
            row = CalendarDay(day=day)
            db.session.add(row)
        row.is_workday, row.name, row.source = is_workday, name, "package"
        count += 1
    reference.changed()
    return count


def set_day(day: date, is_workday: bool, name: str, by: User | None) -> CalendarDay:
    """An administrator's correction; it wins over the package from now on."""
    row = db.session.get(CalendarDay, day) or CalendarDay(day=day)
    row.is_workday, row.name, row.source, row.updated_by_id = is_workday, name, "admin", by and by.id
    db.session.add(row)
    reference.changed()
    return row


def clear_day(day: date) -> None:
    """Forget a correction: the day falls back to the weekend rule."""
    row = db.session.get(CalendarDay, day)
    if row is not None:
        db.session.delete(row)
    reference.changed()
