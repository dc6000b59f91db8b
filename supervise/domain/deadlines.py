"""Due dates and warning colours; the one place that turns time limits into dates.

A due date is the end (23:59:59) of the N-th working day after the day the clock started.
"""

from datetime import date, datetime, time, timedelta

from supervise.domain.calendar import WorkingCalendar

ACCEPT_DAYS = 2
SIGN_DAYS = 1
RATE_CALENDAR_DAYS = 7
HANDLE_DAYS = {"simple": 5, "standard": 15, "complex": 30}
YELLOW_REMAINING_DAYS = 2
RED_OVERDUE_DAYS = 5

END_OF_DAY = time(23, 59, 59)


def end_of(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY)


def due_after(cal: WorkingCalendar, start: datetime, working_days: int) -> datetime:
    """The deadline ``working_days`` working days after ``start``."""
    return end_of(cal.add_working_days(start.date(), working_days))


def rate_due_after(start: datetime) -> datetime:
    """Rating is due seven calendar days after the reply reaches the enterprise."""
    return end_of(start.date() + timedelta(days=RATE_CALENDAR_DAYS))


def handle_days_for(limit_class: str) -> int:
    return HANDLE_DAYS[getattr(limit_class, "value", limit_class)]


def extend_by_pause(cal: WorkingCalendar, due: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """Push ``due`` back by the working days the clock was paused (at least the days it spanned)."""
    paused_days = cal.working_days_between(paused_at.date(), resumed_at.date())
    if paused_days <= 0:
        return due
    return end_of(cal.add_working_days(due.date(), paused_days))


def working_days_taken(cal: WorkingCalendar, start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(cal.working_days_between(start.date(), end.date()), 0)


def warning_level(cal: WorkingCalendar, due: datetime | None, limit_days: int, at: datetime) -> str | None:
    """``yellow`` when 2 working days or fewer remain, ``orange`` when overdue,
    ``red`` when overdue by 5 working days or by half the limit, whichever comes first.

    A limit no longer than the yellow window (accepting in 2 days, signing in 1) has no yellow:
    it would be yellow from the first minute.
    """
    if due is None:
        return None
    if at <= due:
        if limit_days <= YELLOW_REMAINING_DAYS:
            return None
        remaining = cal.working_days_between(at.date(), due.date())
        return "yellow" if remaining <= YELLOW_REMAINING_DAYS else None
    overdue = cal.working_days_between(due.date(), at.date())
    red_after = min(RED_OVERDUE_DAYS, max(limit_days // 2, 1))
    return "red" if overdue >= red_after else "orange"


def moved_by_calendar(before: WorkingCalendar, after: WorkingCalendar, first_changed: date, due: datetime) -> datetime:
    """``due`` after a change of the calendar from ``before`` to ``after`` whose earliest changed day is
    ``first_changed``: the same number of working days from the day before the change (a clock that
    started earlier counted the same days up to there), so a new holiday pushes it back a working day
    and a make-up working day brings it forward."""
    if due.date() < first_changed:
        return due
    anchor = first_changed - timedelta(days=1)
    counted = before.working_days_between(anchor, due.date())
    if counted <= 0:
        return due
    return datetime.combine(after.add_working_days(anchor, counted), due.time())
