"""The co-handling rows carry copies of their ticket's state and handling due date (issue 10).

A unit's scope is the tickets it leads *or* co-handles. The lead half of the workbench's timed
counts (overdue, due soon) and lists is an index range of ``tickets``; the co-handled half is read
from ``ticket_co_units`` alone, through ``ix_ticket_co_units_unit_state_due`` (unit, state, handling
due date, ticket), without visiting a ticket. So each co-handling row keeps ``state`` and
``handle_due`` as the ticket has them: a session hook (:func:`connect`) copies them, after every
flush that changes a ticket's state or handling due date or gives it co-handling units, from the
flushed ticket rows in the same transaction — whatever made the change (the state machine, a due
date recomputed for the calendar, intake, a merge, a forward). :func:`refresh` copies them for
every row (``flask counts-rebuild``, after an import that went around the ORM).
"""

from flask_sqlalchemy.session import Session
from sqlalchemy import ColumnElement, Select, event, inspect, select, update
from sqlalchemy.sql import visitors

from supervise.extensions import db
from supervise.models import Ticket, ticket_co_units

#: The ticket attributes whose change the co-handling rows must follow.
WATCHED = ("state", "handle_due", "co_units")

co = ticket_co_units.c
tickets = Ticket.__table__
#: The ticket columns the co-handling rows hold, and the copies that stand for them.
COPIES = {tickets.c.id: co.ticket_id, tickets.c.state: co.state, tickets.c.handle_due: co.handle_due}


def _copy_of(column: str):
    """The ticket's ``column`` of a co-handling row, as a correlated subquery."""
    return select(tickets.c[column]).where(tickets.c.id == co.ticket_id).scalar_subquery()


def _copy_statement():
    return update(ticket_co_units).values(state=_copy_of("state"), handle_due=_copy_of("handle_due"))


def refresh(ticket_ids: list[int] | None = None) -> None:
    """Copy the tickets' state and handling due date onto their co-handling rows (all rows when
    ``ticket_ids`` is None), in the caller's transaction."""
    statement = _copy_statement()
    if ticket_ids is not None:
        statement = statement.where(co.ticket_id.in_(ticket_ids))
    db.session.execute(statement)


# ---------------------------------------------------------------- kept in every flush


def _changed(ticket: Ticket) -> bool:
    state = inspect(ticket)
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


def _touched(session: Session) -> list[int]:
    """The ids of the tickets this flush wrote whose co-handling rows may hold stale copies."""
    new = [o for o in session.new if isinstance(o, Ticket) and o.__dict__.get("co_units")]
    dirty = [o for o in session.dirty if isinstance(o, Ticket) and _changed(o)]
    return sorted({o.id for o in new + dirty if o.id is not None})


def _after_flush(session: Session, _context) -> None:
    ids = _touched(session)
    if ids:
        with session.no_autoflush:
            session.execute(_copy_statement().where(co.ticket_id.in_(ids)))


def connect() -> None:
    """Keep the copies in every flush of the application's sessions. Idempotent."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


# ---------------------------------------------------------------- read through the copies


def _copy(element):
    """The co-handling column standing for a ticket column (None: keep ``element``)."""
    for column, copy in COPIES.items():
        if isinstance(element, type(column)) and column in getattr(element, "proxy_set", ()):
            return copy
    return None


def _reads_tickets(clause: ColumnElement) -> bool:
    return any(getattr(e, "table", None) is tickets for e in visitors.iterate(clause))


def co_handled(unit_id: int, condition: ColumnElement[bool] | None) -> Select:
    """The ids of the tickets ``unit_id`` co-handles meeting ``condition`` (a clause on tickets).

    A condition on the ticket's id, state and handling due date only (every tab of the workbench,
    the timed ones included) is read from the co-handling rows alone; any other column joins the
    tickets."""
    query = select(co.ticket_id).where(co.unit_id == unit_id)
    if condition is None:
        return query
    copied = visitors.replacement_traverse(condition, {}, _copy)
    if _reads_tickets(copied):
        return query.join(Ticket, Ticket.id == co.ticket_id).where(condition)
    return query.where(copied)
