"""Times written out and read in, in one place.

Times are stored as naive datetimes in the zone's local time (config ``TIMEZONE``; see
``domain.clock``). Machines get them as ISO 8601 with the zone's offset (:func:`iso`: the JSON API,
Open311, the Atom feeds); people get the fixed numeric formats of the pages (:func:`human`,
:func:`human_day`, :func:`human_month`), the same in every language. What a client sends — a date, or
a date-time with or without an offset — is read by :func:`parse_date` and :func:`parse_datetime`,
which refuse what falls outside the calendar the platform can count working days in.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
#: The years a date anyone types may fall in: far enough for any real complaint, and a day or a
#: 90-day span added to it stays inside what ``datetime`` holds.
YEARS = (1900, 2999)


def zone() -> ZoneInfo:
    """The zone stored times are local to (the default zone outside an application)."""
    try:
        from flask import current_app

        return ZoneInfo(current_app.config.get("TIMEZONE", DEFAULT_ZONE))
    except RuntimeError:  # outside an application context
        return ZoneInfo(DEFAULT_ZONE)


# ---------------------------------------------------------------- for machines


def iso(value: datetime | date | None, timespec: str = "auto") -> str | None:
    """A stored local time as ISO 8601 with the zone's offset (2026-03-02T09:00:00+08:00); a date as
    YYYY-MM-DD; None as None. ``timespec="seconds"`` drops fractions (W3C datetimes)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=zone()).isoformat(timespec=timespec)
    return value.isoformat()


def in_years(day: date | datetime, years: tuple[int, int] = YEARS) -> bool:
    """Whether ``day`` falls within ``years`` (both included)."""
    return years[0] <= day.year <= years[1]


def parse_date(value: object, years: tuple[int, int] = YEARS) -> date | None:
    """``value`` as a date if it is exactly YYYY-MM-DD (ASCII digits, a real day) within ``years``."""
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    # fromisoformat also reads 20260430 and 2026-W18-4; only the one written form is accepted.
    if day.isoformat() != value or not in_years(day, years):
        return None
    return day


def parse_datetime(value: str) -> datetime:
    """A W3C / RFC 3339 date-time (``Z`` or an offset, or none: local time), or a plain date, as the
    zone's naive local time. Raises ValueError when malformed, or when the zone's time of it falls
    off the calendar (0001-01-01T00:00:00+14:00)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed
    try:
        return parsed.astimezone(zone()).replace(tzinfo=None)
    except OverflowError:
        raise ValueError(value) from None


# ---------------------------------------------------------------- for people


def human(at: datetime | None) -> str:
    """A stored time to the minute, 2026-03-02 09:00 ("" for none)."""
    return at.isoformat(sep=" ", timespec="minutes") if at else ""


def human_day(day: date | datetime | None) -> str:
    """The day of a date or a time, 2026-03-02 ("" for none)."""
    if day is None:
        return ""
    return (day.date() if isinstance(day, datetime) else day).isoformat()


def human_month(day: date | datetime) -> str:
    """The month of a date, 2026-03."""
    return human_day(day)[:7]


def human_due(written: str) -> str:
    """A due date or deadline as an event records it (ISO 8601): the day alone when it is the end of
    that day, else the day and the minute."""
    try:
        at = datetime.fromisoformat(written)
    except ValueError:
        return written
    if at.hour == 23 and at.minute == 59 or len(written) == 10:
        return human_day(at)
    return human(at)


def written_day(value: date | datetime | str | None) -> str:
    """A day as people write it in a sentence, in the current language: 2026年11月17日, November 17,
    2026. Takes what an event records too (ISO 8601, or an alert's key ending in the date)."""
    from flask_babel import format_date

    if isinstance(value, str):
        value = _read_recorded(value)
    if value is None:
        return ""
    return format_date(value.date() if isinstance(value, datetime) else value, format="long")


def written_due(value: date | datetime | str | None) -> str:
    """A deadline in a sentence: the day alone when it is the end of that day (as every due date
    is), else the day and the minute (2026年11月17日 14:30)."""
    if isinstance(value, str):
        value = _read_recorded(value)
    if isinstance(value, datetime) and (value.hour, value.minute) != (23, 59):
        return f"{written_day(value)} {value:%H:%M}"
    return written_day(value)


def _read_recorded(text: str) -> date | datetime | None:
    """A date or time as an event or alert recorded it: ``2026-11-30T23:59:59``, ``2026-11-17``, or a
    key ending in one (``14:2026-11-17``, a supervision order's id and deadline)."""
    for candidate in (text, text.rpartition(":")[2] if len(text.rpartition(":")[2]) == 10 else ""):
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return parsed.date() if len(candidate) == 10 else parsed
    return None
