"""The working-day calendar: weekends off, public holidays off, make-up working days (调休) on.

The rules are pure functions over a mapping of overrides (date -> is working day); the overrides come
from the ``calendar_days`` table, seeded from the ``chinese_calendar`` package and corrected by
administrators.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

Overrides = Mapping[date, bool]


@dataclass(frozen=True)
class WorkingCalendar:
    overrides: Overrides = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself does not count).

        With ``days == 0`` the answer is ``start`` if it is a working day, else the next one.
        """
        day = start
        if days <= 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``: 0 on the same day, negative if ``end`` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def package_overrides(years: list[int]) -> dict[date, tuple[bool, str]]:
    """Holidays and make-up working days for ``years`` from the maintained ``chinese_calendar`` data.

    Only days that differ from the weekend rule are returned; years the package does not know yet
    return nothing (administrators enter them by hand).
    """
    from chinese_calendar.constants import holidays, workdays

    result: dict[date, tuple[bool, str]] = {}
    for day, name in holidays.items():
        if day.year in years and day.weekday() < 5:
            result[day] = (False, str(name))
    for day, name in workdays.items():
        if day.year in years and day.weekday() >= 5:
            result[day] = (True, str(name))
    return result


def load_calendar() -> WorkingCalendar:
    """The calendar as stored: the process's copy (:mod:`supervise.domain.reference`, which registers
    itself with the application), read again whenever a day changes."""
    from flask import current_app

    return current_app.extensions["reference"]().calendar


def forget_cached_calendar() -> None:
    """The calendar changed in this transaction: every process reads it again once it commits
    (:func:`supervise.domain.reference.changed`)."""
    from flask import current_app

    current_app.extensions["reference_changed"]()
