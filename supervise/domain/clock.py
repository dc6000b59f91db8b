"""The platform's one notion of "now".

Times are stored as naive datetimes in the zone's local time (config ``TIMEZONE``): deadlines are
working days of the local calendar, so the day boundary that matters is the local one. Tests freeze
the clock with :func:`frozen`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

_DEFAULT_TZ = "Asia/Shanghai"
_frozen: datetime | None = None


def _zone() -> ZoneInfo:
    try:
        from flask import current_app

        return ZoneInfo(current_app.config.get("TIMEZONE", _DEFAULT_TZ))
    except RuntimeError:  # outside an application context
        return ZoneInfo(_DEFAULT_TZ)


def now() -> datetime:
    """The current local time, naive, to the second."""
    if _frozen is not None:
        return _frozen
    return datetime.now(_zone()).replace(tzinfo=None, microsecond=0)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Make :func:`now` return ``at`` inside the block (tests, replays)."""
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
