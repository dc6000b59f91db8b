"""The public generation: publication changes show on the very next request, in every process.

Anonymous public pages and feeds are cached (per process without Redis, shared with it). Their key
holds the current generation, a number in the database that rises in the same transaction as any
change to what they show — publishing, editing a public text, withdrawing, a redaction term, a
released attachment, renaming a unit, category or area, a calendar day, an enterprise's names. The first request
after the commit reads the new number (one primary-key read), misses the cache and renders anew;
copies under the old number are never served again and expire on their own.

A ticket's progress (its state, timeline, deadlines) and the measures are not publication: a cached
page shows them within ``PUBLIC_CACHE_SECONDS``.
"""

from flask_sqlalchemy.session import Session
from sqlalchemy import event, insert, inspect, select, update

from supervise.extensions import db
from supervise.models import (
    Area,
    Attachment,
    CalendarDay,
    Category,
    Enterprise,
    PublicGeneration,
    RedactionTerm,
    Ticket,
    Unit,
)
from supervise.models.ledger import LedgerItem
from supervise.models.publication import ROW
from supervise.models.settlement import Adjustment, Scorecard, Settlement

# What the public side shows of each kind of row (besides a ticket's progress): the public texts,
# what masks them (names, aliases, contacts, redaction terms), and the names it files them under.
SHOWN: dict[type, frozenset[str]] = {
    Ticket: frozenset(
        {
            "published_at",
            "result_published_at",
            "public_title",
            "public_summary",
            "public_reply",
            "contact_name",
            "category_id",
            "area_id",
            "lead_unit_id",
            "co_units",
            "enterprise_id",
        }
    ),
    RedactionTerm: frozenset({"term"}),
    Attachment: frozenset({"released", "filename"}),
    Enterprise: frozenset({"name", "aliases", "industry", "contact_name"}),
    Unit: frozenset({"name", "short_name", "active", "sort"}),
    Category: frozenset({"name", "parent_id", "active", "sort"}),
    Area: frozenset({"name", "active", "sort"}),
    # Public pages count working days; the reference cache (supervise.domain.reference) keeps the calendar.
    CalendarDay: frozenset({"is_workday"}),
    # The ranking of settled quarters: a settlement, and each adjustment of it.
    Settlement: frozenset({"settled_at"}),
    Scorecard: frozenset({"adjusted", "rank"}),
    Adjustment: frozenset({"points", "reason"}),
    # The rectification progress: an item's state, source and its closed summary.
    LedgerItem: frozenset({"state", "source", "public_summary"}),
}
_RAISED = "public_generation_raised"  # session.info: raised in the open transaction


def current() -> int:
    """The generation now (0 before the first change)."""
    value = db.session.scalar(select(PublicGeneration.value).where(PublicGeneration.id == ROW))
    return value or 0


def _shown(obj: object) -> bool:
    """Does ``obj``, as it stands, appear on the public side (an added or deleted row)?"""
    if isinstance(obj, Ticket):
        return obj.published_at is not None
    if isinstance(obj, Attachment):
        return bool(obj.released)
    return type(obj) in SHOWN


def _changed_publicly(obj: object) -> bool:
    """Does the pending change to ``obj`` change what the public side shows?"""
    fields = SHOWN.get(type(obj))
    if fields is None:
        return False
    state = inspect(obj)
    if isinstance(obj, Ticket) and obj.published_at is None and not any(state.attrs.published_at.history.deleted or ()):
        return False  # never published, nor just withdrawn: nothing public changes
    return any(state.attrs[name].history.has_changes() for name in fields)


def changes_what_is_public(session: Session) -> bool:
    """Would flushing ``session`` change what the public pages, feeds or Open311 show?"""
    return (
        any(_shown(obj) for obj in session.new)
        or any(_shown(obj) for obj in session.deleted)
        or any(_changed_publicly(obj) for obj in session.dirty)
    )


def bump(session: Session) -> None:
    """Raise the generation in ``session``'s transaction (the row is created when missing)."""
    table = PublicGeneration.__table__
    raised = session.execute(update(table).where(table.c.id == ROW).values(value=table.c.value + 1))
    if not raised.rowcount:
        session.execute(insert(table).values(id=ROW, value=1))
    session.info[_RAISED] = True


def raised_in(session: Session) -> bool:
    """Has ``session`` raised the generation in its open transaction (not yet committed)?"""
    return bool(session.info.get(_RAISED))


def _transaction_ended(session: Session) -> None:
    session.info.pop(_RAISED, None)


def _before_flush(session: Session, _context, _instances) -> None:
    if changes_what_is_public(session):
        bump(session)


def connect() -> None:
    """Raise the generation in every flush of the application's sessions that changes what is
    public. Idempotent."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_commit", _transaction_ended)
        event.listen(Session, "after_rollback", _transaction_ended)
