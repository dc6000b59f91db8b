"""Periods of the statistics pages: a month, a quarter or a year, and the months they span."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

PERIOD_KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    """A month, quarter or year: ``start`` is its first day, ``end`` the first day after it."""

    kind: str
    year: int
    number: int = 0  # the month (1-12) or quarter (1-4); 0 for a year

    @property
    def start(self) -> date:
        if self.kind == "month":
            return date(self.year, self.number, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return add_months(self.start, months)

    @property
    def value(self) -> str:
        """The period as written in a URL: 2026-11, 2026-Q4, 2026."""
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)d-%(month)02d", year=self.year, month=self.number)
        if self.kind == "quarter":
            return _("%(year)d Q%(quarter)d", year=self.year, quarter=self.number)
        return _("Year %(year)d", year=self.year)

    @property
    def months(self) -> list[date]:
        return month_range(self.start, self.end)

    @property
    def last_month(self) -> date:
        return add_months(self.end, -1)

    @classmethod
    def containing(cls, day: date, kind: str = "quarter") -> "Period":
        if kind == "month":
            return cls("month", day.year, day.month)
        if kind == "quarter":
            return cls("quarter", day.year, (day.month - 1) // 3 + 1)
        return cls("year", day.year)

    def shift(self, steps: int) -> "Period":
        """The period ``steps`` periods of the same kind later (earlier when negative)."""
        if self.kind == "year":
            return Period("year", self.year + steps)
        per_year = 12 if self.kind == "month" else 4
        index = self.year * per_year + (self.number - 1) + steps
        return Period(self.kind, index // per_year, index % per_year + 1)

    def __str__(self) -> str:
        return self.value


_PERIOD_RE = re.compile(r"^\s*(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?\s*$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_period(text: str | None) -> Period | None:
    """``2026-11`` (month), ``2026-Q4`` (quarter) or ``2026`` (year); None for anything else."""
    match = _PERIOD_RE.match(text or "")
    if not match:
        return None
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if match.group(2):
        month = int(match.group(2))
        return Period("month", year, month) if 1 <= month <= 12 else None
    if match.group(3):
        return Period("quarter", year, int(match.group(3)))
    return Period("year", year)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_range(start: date, end: date) -> list[date]:
    """First days of the months from ``start``'s month up to (not including) ``end``'s month."""
    months, month = [], date(start.year, start.month, 1)
    while month < end:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_of(moment: datetime | date) -> date:
    """The first day of ``moment``'s month."""
    return date(moment.year, moment.month, 1)


def as_month(value: Any) -> date:
    """A month as the database returns it (a date, a datetime or ISO text, by dialect) as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
