"""The counters kept per cell (month received, lead unit, category) and how they are kept current.

Every timeline event marks its ticket's cell dirty in the same transaction (:func:`on_event_recorded`);
:func:`refresh_dirty` recomputes the dirty cells every minute from that cell's tickets only, and
:func:`refresh_all` recomputes every cell at night.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, delete, func, inspect, literal_column, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from supervise.domain import deadlines, reference
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.domain.clock import now
from supervise.domain.clocks import overdue_clause
from supervise.domain.measures.definitions import COUNTERS, SQL_COUNTERS
from supervise.domain.measures.periods import add_months, as_month, month_of
from supervise.extensions import db
from supervise.models import NO_UNIT, Rating, State, StatsCell, StatsDirty, Ticket, TicketEvent

CellKey = tuple[date, int, int]


def cell_key(ticket: Ticket) -> CellKey:
    """The cell ``ticket`` counts in: (first day of the month received, lead unit or NO_UNIT, category)."""
    unit = ticket.lead_unit
    unit_id = unit.id if unit is not None else (ticket.lead_unit_id or NO_UNIT)
    category_id = ticket.category_id if ticket.category_id is not None else ticket.category.id
    return month_of(ticket.created_at or now()), unit_id, category_id


def _previous_unit_ids(ticket: Ticket) -> set[int]:
    """Units the ticket was led by before the changes not yet flushed (a dispatch in this transaction)."""
    state = inspect(ticket)
    ids = set(state.attrs.lead_unit_id.history.deleted or ())
    ids.add(ticket.lead_unit_id)  # the stored value until the flush writes the new unit
    ids.update(u.id if u is not None else None for u in state.attrs.lead_unit.history.deleted or ())
    return {NO_UNIT if i is None else i for i in ids}


def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def mark_dirty(ticket: Ticket, previous_unit_id: int | None = None) -> None:
    """Mark the ticket's cell (and the previous unit's cell, after a re-dispatch) for recomputing.

    Written now, in the caller's transaction. Marking twice is harmless; the upsert takes the dirty
    row's lock, so a refresh that is recomputing the cell waits for this transaction to commit and
    then sees its change (see :func:`recompute_cell`).
    """
    month, unit_id, category_id = cell_key(ticket)
    units = {unit_id}
    if previous_unit_id is not None:
        units.add(previous_unit_id)
    at = now()
    rows = [{"month": month, "unit_id": u, "category_id": category_id, "marked_at": at} for u in sorted(units)]
    stmt = _insert(StatsDirty.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["month", "unit_id", "category_id"], set_={"marked_at": stmt.excluded.marked_at}
    )
    for row in rows:
        db.session.execute(stmt, row)


def _unit_before(event: TicketEvent) -> int:
    """The unit that led the ticket before a dispatch ``event``: the one the previous dispatch named."""
    earlier = [e for e in event.ticket.events if e is not event and (e.data or {}).get("unit_id")]
    return int(earlier[-1].data["unit_id"]) if earlier else NO_UNIT


def on_event_recorded(event: TicketEvent) -> None:
    """Every timeline event (the submission included) may change its ticket's measures.

    A dispatch (its data names the new unit) also marks the cell the ticket leaves. That unit is read
    from the timeline, not only from the ticket's unflushed state: another subscriber may have flushed.
    """
    ticket = event.ticket
    if ticket is None:
        return
    with db.session.no_autoflush:
        current = cell_key(ticket)[1]
        before = _previous_unit_ids(ticket)
        if (event.data or {}).get("unit_id"):
            before.add(_unit_before(event))
        previous = sorted(u for u in before if u != current)
        for unit_id in previous or [None]:
            mark_dirty(ticket, unit_id)


class WorkingDayCounter:
    """``working_days_between`` for many pairs of dates: a prefix count over the span seen so far."""

    def __init__(self, cal: WorkingCalendar):
        self.cal = cal
        self.origin: date | None = None
        self.prefix: list[int] = []

    def _cover(self, low: date, high: date) -> None:
        if self.origin is not None and self.origin <= low and high < self.origin + timedelta(len(self.prefix)):
            return
        start = min(low, self.origin) if self.origin else low
        stop = max(high, self.origin + timedelta(len(self.prefix) - 1)) if self.origin else high
        self.origin, self.prefix, count = start, [], 0
        for offset in range((stop - start).days + 1):
            day = start + timedelta(offset)
            if offset and self.cal.is_working_day(day):
                count += 1
            self.prefix.append(count)

    def taken(self, start: datetime | None, end: datetime | None) -> int:
        """As :func:`deadlines.working_days_taken`, never negative; 0 when a date is missing."""
        if start is None or end is None:
            return 0
        low, high = sorted((start.date(), end.date()))
        self._cover(low, high)
        days = self.prefix[(end.date() - self.origin).days] - self.prefix[(start.date() - self.origin).days]
        return max(days, 0)


def _count(condition: ColumnElement[bool]):
    return func.count(case((condition, 1)))


def _counter_columns(at: datetime) -> list:
    """Every SQL counter of a cell, as aggregate columns over ``tickets`` (one definition for both refreshes)."""
    satisfied = [r for r in Rating if r.is_satisfied]
    return [
        func.count(Ticket.id).label("received"),
        _count(Ticket.accepted_at.is_not(None)).label("accepted"),
        _count(Ticket.dispatched_at.is_not(None)).label("dispatched"),
        _count(Ticket.signed_at.is_not(None)).label("signed"),
        _count(Ticket.signed_at <= Ticket.sign_due).label("signed_on_time"),
        _count(Ticket.replied_at.is_not(None)).label("replied"),
        _count(and_(Ticket.replied_at <= Ticket.handle_due, Ticket.overdue_at.is_(None))).label("replied_on_time"),
        _count(Ticket.state == State.CLOSED).label("closed"),
        _count(Ticket.rating.is_not(None)).label("rated"),
        _count(Ticket.rating.in_(satisfied)).label("satisfied"),
        _count(Ticket.first_rating.is_not(None)).label("first_rated"),
        _count(Ticket.first_rating.in_(satisfied)).label("first_satisfied"),
        _count(Ticket.rating_solved.is_not(None)).label("solved_answered"),
        _count(Ticket.rating_solved.is_(True)).label("solved"),
        _count(Ticket.reopen_count > 0).label("reopened"),
        _count(Ticket.return_count > 0).label("returned"),
        _count(overdue_clause(at)).label("open_overdue"),
        _count(and_(overdue_clause(at), _red_clause(load_calendar(), at))).label("open_overdue_red"),
        _count(Ticket.published_at.is_not(None)).label("published"),
        _count(Ticket.state == State.FORWARDED).label("forwarded"),
    ]


def _cell_where(month: date, unit_id: int, category_id: int) -> list:
    unit = Ticket.lead_unit_id.is_(None) if unit_id == NO_UNIT else Ticket.lead_unit_id == unit_id
    start = datetime.combine(month, time.min)
    return [
        unit,
        Ticket.category_id == category_id,
        Ticket.created_at >= start,
        Ticket.created_at < datetime.combine(add_months(month, 1), time.min),
    ]


def _upsert_cells(rows: list[dict]) -> None:
    if not rows:
        return
    stmt = _insert(StatsCell.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["month", "unit_id", "category_id"],
        set_={c: stmt.excluded[c] for c in (*COUNTERS, "refreshed_at")},
    )
    for start in range(0, len(rows), 1000):
        db.session.execute(stmt, rows[start : start + 1000])


def _cell_pk(key: CellKey):
    month, unit_id, category_id = key
    return and_(StatsCell.month == month, StatsCell.unit_id == unit_id, StatsCell.category_id == category_id)


def recompute_cell(
    month: date, unit_id: int, category_id: int, at: datetime | None = None, counter: WorkingDayCounter | None = None
) -> dict[str, int] | None:
    """Recompute one cell from its tickets (one aggregate query and the replied tickets' dates).

    The dirty mark is deleted first: a change committed after that marks the cell again, and one
    still in flight holds the mark's lock until it commits, so no change is ever left uncounted.
    Returns the counts, or None when the cell has no ticket any more (its row is deleted).
    """
    at = at or now()
    db.session.execute(
        delete(StatsDirty).where(
            StatsDirty.month == month, StatsDirty.unit_id == unit_id, StatsDirty.category_id == category_id
        )
    )
    where = _cell_where(month, unit_id, category_id)
    counts = dict(db.session.execute(select(*_counter_columns(at)).where(*where)).one()._mapping)
    if not counts["received"]:
        db.session.execute(delete(StatsCell).where(_cell_pk((month, unit_id, category_id))))
        return None
    counter = counter or WorkingDayCounter(load_calendar())
    replied = db.session.execute(
        select(Ticket.dispatched_at, Ticket.replied_at).where(*where, Ticket.replied_at.is_not(None))
    )
    counts["handling_days"] = sum(counter.taken(start, end) for start, end in replied)
    _upsert_cells([{"month": month, "unit_id": unit_id, "category_id": category_id, **counts, "refreshed_at": at}])
    return counts


def refresh_dirty(at: datetime | None = None, limit: int = 500) -> int:
    """Recompute up to ``limit`` dirty cells, the longest waiting first; the number recomputed."""
    at = at or now()
    keys = db.session.execute(
        select(StatsDirty.month, StatsDirty.unit_id, StatsDirty.category_id).order_by(StatsDirty.marked_at).limit(limit)
    ).all()
    counter = WorkingDayCounter(load_calendar())
    for month, unit_id, category_id in keys:
        recompute_cell(month, unit_id, category_id, at, counter)
    if keys:
        reference.clear()  # what the public filters offer comes from the cells (other processes: reference.MAX_AGE)
    return len(keys)


def _month_column():
    """The first day of the month received, as SQL (the literal keeps GROUP BY equal to the SELECT)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date_trunc(literal_column("'month'"), Ticket.created_at)
    return func.strftime(literal_column("'%Y-%m-01'"), Ticket.created_at)


def refresh_all(at: datetime | None = None) -> int:
    """Recompute every cell from the tickets in one grouped pass; delete cells left without tickets.

    Dirty marks are left in place (the minute job recomputes those cells again, harmlessly), so this
    long pass takes no lock a user's action would wait for. Returns the number of cells.
    """
    at = at or now()
    month = _month_column().label("month")
    keys = (month, Ticket.lead_unit_id, Ticket.category_id)
    cells: dict[CellKey, dict] = {}
    for row in db.session.execute(select(*keys, *_counter_columns(at)).group_by(*keys)):
        values = row._mapping
        key = (as_month(values["month"]), values["lead_unit_id"] or NO_UNIT, values["category_id"])
        cells[key] = {
            "month": key[0],
            "unit_id": key[1],
            "category_id": key[2],
            "handling_days": 0,
            "refreshed_at": at,
            **{c: values[c] for c in SQL_COUNTERS},
        }
    counter = WorkingDayCounter(load_calendar())
    replied = (
        select(month, Ticket.lead_unit_id, Ticket.category_id, Ticket.dispatched_at, Ticket.replied_at)
        .where(Ticket.replied_at.is_not(None))
        .execution_options(yield_per=5000)
    )
    for row_month, unit_id, category_id, start, end in db.session.execute(replied):
        cell = cells.get((as_month(row_month), unit_id or NO_UNIT, category_id))
        if cell is not None:
            cell["handling_days"] += counter.taken(start, end)
    _upsert_cells(list(cells.values()))
    reference.clear()  # what the public filters offer comes from the cells (other processes: reference.MAX_AGE)
    stale = [
        tuple(k)
        for k in db.session.execute(select(StatsCell.month, StatsCell.unit_id, StatsCell.category_id))
        if tuple(k) not in cells
    ]
    for start in range(0, len(stale), 500):
        db.session.execute(
            delete(StatsCell).where(
                tuple_(StatsCell.month, StatsCell.unit_id, StatsCell.category_id).in_(stale[start : start + 500])
            )
        )
    return len(cells)


def _working_days_back(cal: WorkingCalendar, day: date, count: int) -> list[date]:
    """The ``count`` latest working days up to and including ``day``, latest first."""
    found = []
    while len(found) < count:
        if cal.is_working_day(day):
            found.append(day)
        day -= timedelta(days=1)
    return found


def _red_clause(cal: WorkingCalendar, at: datetime) -> ColumnElement[bool]:
    """Which overdue tickets are red, as SQL, by the rule of :func:`deadlines.warning_level`: overdue by
    ``min(RED_OVERDUE_DAYS, max(handle_days // 2, 1))`` working days, i.e. due before the start of the
    r-th latest working day up to today."""
    days = _working_days_back(cal, at.date(), deadlines.RED_OVERDUE_DAYS)
    cutoff = {r: datetime.combine(days[r - 1], time.min) for r in range(1, deadlines.RED_OVERDUE_DAYS + 1)}

    def red_after(handle_days: int) -> int:
        return min(deadlines.RED_OVERDUE_DAYS, max(handle_days // 2, 1))

    # handle_days -> r is non-decreasing: one WHEN per value of r, from the largest handle_days down.
    whens, top = [], 2 * deadlines.RED_OVERDUE_DAYS
    for r in range(deadlines.RED_OVERDUE_DAYS, 1, -1):
        lowest = min(h for h in range(top + 1) if red_after(h) == r)
        whens.append((Ticket.handle_days >= lowest, Ticket.handle_due < cutoff[r]))
    return case(*whens, else_=Ticket.handle_due < cutoff[1])
