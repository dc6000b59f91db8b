"""The platform's one notion of "now".

Times are stored as naive datetimes in the zone's local time (config ``TIMEZONE``): deadlines are
working days of the local calendar, so the day boundary that matters is the local one. Tests freeze
the clock with :func:`frozen`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from supervise.times import zone

_frozen: datetime | None = None


def now() -> datetime:
    """The current local time, naive, to the second."""
    if _frozen is not None:
        return _frozen
    return datetime.now(zone()).replace(tzinfo=None, microsecond=0)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Make :func:`now` return ``at`` inside the block (tests, replays)."""
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
