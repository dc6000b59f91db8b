"""Ticket counts kept with every change: the staff pages' tab and queue counts read a few rows of
``ticket_counts`` instead of scanning the ticket table (issue 10).

Each ticket counts once in each of its *scopes* — every ticket in :data:`EVERYWHERE` (the
supervisors'), and in the unit that leads it and each co-handling unit — under each of its *buckets*:
its state, and ``to_publish`` while the supervisor may publish its problem or its result. A session
hook (:func:`connect`) compares, in every flush, each changed ticket's scopes and buckets as stored
with those it is flushed with, and adds the difference in the same transaction; ``flask
counts-rebuild`` (:func:`rebuild`) recomputes every row from the tickets, after an import that went
around the ORM. Counts that depend on the time of day (due soon, overdue) are not kept: the
workbench and console count them through indexes (see :mod:`supervise.domain.staff_lists`).
"""

from collections import Counter
from collections.abc import Iterable

from flask_sqlalchemy.session import Session
from sqlalchemy import delete, event, func, inspect, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from supervise.domain.clocks import PUBLISHABLE
from supervise.domain.workflow import awaiting_publication, result_awaiting_publication
from supervise.extensions import db
from supervise.models import EVERYWHERE, State, Ticket, TicketCount, ticket_co_units

TO_PUBLISH = "to_publish"
#: The columns and relationships whose change may move a ticket between scopes or buckets.
WATCHED = ("state", "lead_unit_id", "lead_unit", "co_units", "publish_consent", "published_at", "result_published_at")

Key = tuple[int, str]


def awaiting_publication_now(state: State, consent: bool, published: bool, result_published: bool) -> bool:
    """The console's "to publish" rule on plain values: :func:`workflow.awaiting_publication` or
    :func:`workflow.result_awaiting_publication` (tests/test_counts.py checks they agree)."""
    problem = consent and not published and state in PUBLISHABLE
    return problem or (state == State.CLOSED and published and not result_published)


def keys(
    state: State, lead_unit_id: int | None, co_unit_ids: Iterable[int], *, consent: bool, published: bool, result: bool
) -> set[Key]:
    """The (scope, bucket) rows one ticket counts in."""
    scopes = {EVERYWHERE, *(u for u in [lead_unit_id, *co_unit_ids] if u is not None)}
    buckets = {State(state).value}
    if awaiting_publication_now(State(state), consent, published, result):
        buckets.add(TO_PUBLISH)
    return {(scope, bucket) for scope in scopes for bucket in buckets}


# ---------------------------------------------------------------- kept in every flush


def _flushed_keys(ticket: Ticket) -> set[Key]:
    """The keys of ``ticket`` as this flush will write it."""
    lead = ticket.lead_unit_id
    if inspect(ticket).attrs.lead_unit.history.has_changes():
        lead = ticket.lead_unit.id if ticket.lead_unit is not None else None
    return keys(
        ticket.state or State.SUBMITTED,
        lead,
        [u.id for u in ticket.co_units],
        consent=ticket.publish_consent is not False,
        published=ticket.published_at is not None,
        result=ticket.result_published_at is not None,
    )


def _stored_keys(session: Session, ids: list[int]) -> dict[int, set[Key]]:
    """The keys of the tickets ``ids`` as the database holds them now (earlier flushes included)."""
    if not ids:
        return {}
    co: dict[int, list[int]] = {i: [] for i in ids}
    for ticket_id, unit_id in session.execute(
        select(ticket_co_units.c.ticket_id, ticket_co_units.c.unit_id).where(ticket_co_units.c.ticket_id.in_(ids))
    ):
        co[ticket_id].append(unit_id)
    rows = session.execute(
        select(
            Ticket.id,
            Ticket.state,
            Ticket.lead_unit_id,
            Ticket.publish_consent,
            Ticket.published_at.is_not(None),
            Ticket.result_published_at.is_not(None),
        ).where(Ticket.id.in_(ids))
    )
    return {
        row[0]: keys(row[1], row[2], co[row[0]], consent=bool(row[3]), published=bool(row[4]), result=bool(row[5]))
        for row in rows
    }


def _changes(session: Session) -> Counter[Key]:
    """What flushing ``session`` adds to (and takes from) each count."""
    delta: Counter[Key] = Counter()
    for ticket in (o for o in session.new if isinstance(o, Ticket)):
        delta.update(_flushed_keys(ticket))
    changed = [
        o
        for o in session.dirty
        if isinstance(o, Ticket) and any(inspect(o).attrs[name].history.has_changes() for name in WATCHED)
    ]
    deleted = [o for o in session.deleted if isinstance(o, Ticket)]
    stored = _stored_keys(session, [o.id for o in changed + deleted if o.id is not None])
    for ticket in changed + deleted:
        delta.subtract(stored.get(ticket.id, set()))
        if ticket not in deleted:
            delta.update(_flushed_keys(ticket))
    return delta


def _upsert(session: Session, delta: Counter[Key]) -> None:
    """Add ``delta`` to the counts, row by row in key order (two transactions lock rows in one order)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = TicketCount.__table__
    for (scope, bucket), n in sorted(delta.items()):
        if n:
            stmt = insert(table).values(scope_id=scope, bucket=bucket, n=n)
            session.execute(
                stmt.on_conflict_do_update(index_elements=["scope_id", "bucket"], set_={"n": table.c.n + n})
            )


def _before_flush(session: Session, _context, _instances) -> None:
    with session.no_autoflush:
        delta = _changes(session)
        if delta:
            _upsert(session, delta)


def connect() -> None:
    """Keep the counts in every flush of the application's sessions. Idempotent."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


# ---------------------------------------------------------------- read and rebuilt


def read(scope_id: int) -> Counter[str]:
    """The counts of one scope, by bucket (a missing bucket is 0): one primary-key range read."""
    rows = db.session.execute(select(TicketCount.bucket, TicketCount.n).where(TicketCount.scope_id == scope_id))
    return Counter({bucket: n for bucket, n in rows})


def in_states(counts: Counter[str], states: Iterable[State]) -> int:
    """How many tickets of a scope are in one of ``states``."""
    return sum(counts[s.value] for s in states)


def computed() -> Counter[Key]:
    """Every count computed from the tickets (grouped queries: a full scan, for rebuilds and tests)."""
    found: Counter[Key] = Counter()
    co = select(ticket_co_units.c.unit_id.label("scope"), ticket_co_units.c.ticket_id.label("ticket_id"))
    lead = select(Ticket.lead_unit_id, Ticket.id).where(Ticket.lead_unit_id.is_not(None))
    everywhere = select(literal(EVERYWHERE), Ticket.id)
    # A unit both leading and co-handling a ticket counts it once: the scopes are a union.
    scopes = lead.union(co, everywhere).subquery()
    scope, ticket_id = scopes.c
    joined = select(scope).join(Ticket, Ticket.id == ticket_id)
    for scope_id, state, n in db.session.execute(
        joined.add_columns(Ticket.state, func.count()).group_by(scope, Ticket.state)
    ):
        found[(scope_id, State(state).value)] = n
    publish = awaiting_publication() | result_awaiting_publication()
    for scope_id, n in db.session.execute(joined.add_columns(func.count()).where(publish).group_by(scope)):
        found[(scope_id, TO_PUBLISH)] = n
    return found


def kept() -> Counter[Key]:
    """Every count as kept (rows at 0 left out)."""
    rows = db.session.execute(select(TicketCount.scope_id, TicketCount.bucket, TicketCount.n))
    return Counter({(scope, bucket): n for scope, bucket, n in rows if n})


def rebuild() -> int:
    """Recompute every count from the tickets, in the caller's transaction; the number of rows."""
    found = computed()
    db.session.execute(delete(TicketCount))
    if found:
        db.session.execute(
            TicketCount.__table__.insert(),
            [{"scope_id": s, "bucket": b, "n": n} for (s, b), n in sorted(found.items())],
        )
    return len(found)
