"""The working-day calendar: weekends off, public holidays off, make-up working days (调休) on.

The rules are pure functions over a mapping of overrides (date -> is working day); the overrides come
from the ``calendar_days`` table, seeded from the ``chinese_calendar`` package and corrected by
administrators.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

Overrides = Mapping[date, bool]

#: From this month on, next year's missing schedule is announced to administrators and supervisors.
SCHEDULE_WARNING_MONTH = 11


@dataclass(frozen=True)
class WorkingCalendar:
    overrides: Overrides = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    @cached_property
    def scheduled_years(self) -> frozenset[int]:
        """The years whose official schedule is known: those with at least one public holiday stored."""
        return frozenset(day.year for day, working in self.overrides.items() if not working)

    def is_provisional(self, due: date | datetime | None) -> bool:
        """Whether a due date falls in a year without a schedule (counted by the weekend rule alone, so
        it may move once the holidays are entered): shown as 暂定 wherever a due date is shown."""
        return due is not None and due.year not in self.scheduled_years

    def next_year_missing(self, today: date) -> int | None:
        """Next year, if it has no schedule yet and it is time to say so (from 1 November); else None."""
        following = today.year + 1
        if today.month >= SCHEDULE_WARNING_MONTH and following not in self.scheduled_years:
            return following
        return None

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
            result[day] = (False, _chinese(name))
    for day, name in workdays.items():
        if day.year in years and day.weekday() >= 5:
            result[day] = (True, _chinese(name))
    return result


def _chinese(name) -> str:
    """The package's holiday (its English name) in Chinese (元旦, 春节 …), as the calendar stores it."""
    from chinese_calendar.constants import Holiday

    try:
        return Holiday(str(name)).chinese
    except ValueError:
        return str(name)


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
