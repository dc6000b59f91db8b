"""The published measures: the one place they are defined, kept up to date and added up.

Every count a measure needs is kept per *cell*: the month a ticket was received, its current lead unit
(``NO_UNIT`` before dispatch) and its category (:class:`~supervise.models.StatsCell`). A timeline event
marks its ticket's cell dirty in the same transaction (:func:`mark_dirty`, subscribed by
:func:`connect`); a job recomputes dirty cells every minute from the tickets of that cell only, and
the nightly job recomputes all of them. Statistics pages add cells up and never scan tickets.

A ticket counts in the period it was *received* and under the unit that *now* leads it: a re-dispatch
moves it from one unit's figures to the other's.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, delete, func, inspect, literal_column, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from supervise.domain import deadlines
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.domain.clock import now
from supervise.domain.clocks import overdue_clause
from supervise.extensions import db
from supervise.models import NO_UNIT, Category, Rating, State, StatsCell, StatsDirty, Ticket, TicketEvent, Unit

MIN_TICKETS_FOR_RANKING = 5
GROUPINGS = ("unit", "area", "category")
PERIOD_KINDS = ("month", "quarter", "year")

# The counters of a cell, in the order of StatsCell (handling_days is summed in Python: it needs the calendar).
COUNTERS = ("received", "accepted", "dispatched", "signed", "signed_on_time", "replied", "replied_on_time",
            "closed", "rated", "satisfied", "solved_answered", "solved", "reopened", "returned",
            "handling_days", "open_overdue", "open_overdue_red", "published")
SQL_COUNTERS = tuple(c for c in COUNTERS if c != "handling_days")
CellKey = tuple[date, int, int]


# ---------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Measure:
    """A published measure: a count, or a ratio of two cell counters, with its definition."""

    key: str
    label: Any
    description: Any
    numerator: str
    denominator: str | None = None  # None: a plain count
    kind: str = "count"  # count | rate | average

    def value(self, counts: dict[str, int]) -> int | float | None:
        """The measure for these counts; None when there is nothing to measure (a zero denominator)."""
        top = counts.get(self.numerator, 0)
        if self.denominator is None:
            return top
        bottom = counts.get(self.denominator, 0)
        return top / bottom if bottom else None

    def display(self, counts: dict[str, int]) -> str:
        """The value as shown on the page and in the CSV: 80.0%, 3.5, 12 or a dash."""
        return format_value(self, self.value(counts))


MEASURES: list[Measure] = [
    Measure("received", _l("Received"), _l(
        "Complaints received in the period, counted in the month they were filed, whatever became of them "
        "(declined and merged complaints included)."), "received"),
    Measure("closed", _l("Closed"), _l(
        "Complaints received in the period whose handling is finished: rated, closed after a rating review, "
        "or closed unrated seven days after the reply. Declined and merged complaints are not counted."),
        "closed"),
    Measure("on_time_signing", _l("On-time signing rate"), _l(
        "Tickets the unit signed for within one working day of dispatch, divided by the tickets it signed for."),
        "signed_on_time", "signed", "rate"),
    Measure("on_time_completion", _l("On-time completion rate"), _l(
        "Tickets the unit replied to by the handling deadline (granted extensions and time waiting for "
        "material count; a ticket that was ever overdue is never on time), divided by the tickets replied to."),
        "replied_on_time", "replied", "rate"),
    Measure("resolution", _l("Resolution rate"), _l(
        "Tickets the enterprise itself said were solved when it rated the result, divided by the tickets "
        "where it answered that question."), "solved", "solved_answered", "rate"),
    Measure("satisfaction", _l("Satisfaction rate"), _l(
        "Ratings of very satisfied, satisfied or basically satisfied, divided by all ratings given."),
        "satisfied", "rated", "rate"),
    Measure("reopen", _l("Reopen rate"), _l(
        "Tickets reopened for re-handling after a bad rating (at least once), divided by the tickets "
        "dispatched to a unit."), "reopened", "dispatched", "rate"),
    Measure("return", _l("Return rate"), _l(
        "Tickets a unit returned as not its own (at least once), divided by the tickets dispatched to a unit."),
        "returned", "dispatched", "rate"),
    Measure("handling_days", _l("Average handling time (working days)"), _l(
        "Working days from the last dispatch to the unit's reply, weekends and public holidays excluded, "
        "averaged over the tickets replied to."), "handling_days", "replied", "average"),
    Measure("open_overdue", _l("Open overdue"), _l(
        "Tickets received in the period that are still being handled and past their handling deadline "
        "(a clock paused while waiting for material is not late), as of the last refresh."), "open_overdue"),
]
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
RANKING_ORDER = ("satisfaction", "on_time_completion", "resolution")
RANKING_RULE = _l(
    "Only units with at least %(n)d complaints received in the period are ranked. Units are ordered by "
    "satisfaction rate, then on-time completion rate, then resolution rate (higher first); a rate with "
    "nothing to measure yet comes last, and units with equal rates share a rank.", n=MIN_TICKETS_FOR_RANKING)
ATTRIBUTION = _l(
    "A complaint counts in the month it was received and under the unit that leads it now: when the "
    "supervisor re-dispatches a ticket, it moves to the new unit's figures. The figures are kept up to date "
    "within a few minutes of every change.")


def format_value(measure: Measure, value: int | float | None) -> str:
    if value is None:
        return "—"
    if measure.kind == "rate":
        return f"{value * 100:.1f}%"
    if measure.kind == "average":
        return f"{value:.1f}"
    return str(value)


# ---------------------------------------------------------------- periods


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


# ---------------------------------------------------------------- keeping cells up to date


def month_of(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


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
    stmt = stmt.on_conflict_do_update(index_elements=["month", "unit_id", "category_id"],
                                      set_={"marked_at": stmt.excluded.marked_at})
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


def connect() -> None:
    """Subscribe to the state machine's events (idempotent)."""
    from supervise.domain.workflow import event_recorded

    event_recorded.connect(on_event_recorded, weak=False)


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
        _count(Ticket.rating_solved.is_not(None)).label("solved_answered"),
        _count(Ticket.rating_solved.is_(True)).label("solved"),
        _count(Ticket.reopen_count > 0).label("reopened"),
        _count(Ticket.return_count > 0).label("returned"),
        _count(overdue_clause(at)).label("open_overdue"),
        _count(and_(overdue_clause(at), _red_clause(load_calendar(), at))).label("open_overdue_red"),
        _count(Ticket.published_at.is_not(None)).label("published"),
    ]


def _cell_where(month: date, unit_id: int, category_id: int) -> list:
    unit = Ticket.lead_unit_id.is_(None) if unit_id == NO_UNIT else Ticket.lead_unit_id == unit_id
    start = datetime.combine(month, time.min)
    return [unit, Ticket.category_id == category_id, Ticket.created_at >= start,
            Ticket.created_at < datetime.combine(add_months(month, 1), time.min)]


def _upsert_cells(rows: list[dict]) -> None:
    if not rows:
        return
    stmt = _insert(StatsCell.__table__)
    stmt = stmt.on_conflict_do_update(index_elements=["month", "unit_id", "category_id"],
                                      set_={c: stmt.excluded[c] for c in (*COUNTERS, "refreshed_at")})
    for start in range(0, len(rows), 1000):
        db.session.execute(stmt, rows[start:start + 1000])


def _cell_pk(key: CellKey):
    month, unit_id, category_id = key
    return and_(StatsCell.month == month, StatsCell.unit_id == unit_id, StatsCell.category_id == category_id)


def recompute_cell(month: date, unit_id: int, category_id: int, at: datetime | None = None,
                   counter: WorkingDayCounter | None = None) -> dict[str, int] | None:
    """Recompute one cell from its tickets (one aggregate query and the replied tickets' dates).

    The dirty mark is deleted first: a change committed after that marks the cell again, and one
    still in flight holds the mark's lock until it commits, so no change is ever left uncounted.
    Returns the counts, or None when the cell has no ticket any more (its row is deleted).
    """
    at = at or now()
    db.session.execute(delete(StatsDirty).where(
        StatsDirty.month == month, StatsDirty.unit_id == unit_id, StatsDirty.category_id == category_id))
    where = _cell_where(month, unit_id, category_id)
    counts = dict(db.session.execute(select(*_counter_columns(at)).where(*where)).one()._mapping)
    if not counts["received"]:
        db.session.execute(delete(StatsCell).where(_cell_pk((month, unit_id, category_id))))
        return None
    counter = counter or WorkingDayCounter(load_calendar())
    replied = db.session.execute(select(Ticket.dispatched_at, Ticket.replied_at)
                                 .where(*where, Ticket.replied_at.is_not(None)))
    counts["handling_days"] = sum(counter.taken(start, end) for start, end in replied)
    _upsert_cells([{"month": month, "unit_id": unit_id, "category_id": category_id, **counts,
                    "refreshed_at": at}])
    return counts


def refresh_dirty(at: datetime | None = None, limit: int = 500) -> int:
    """Recompute up to ``limit`` dirty cells, the longest waiting first; the number recomputed."""
    at = at or now()
    keys = db.session.execute(select(StatsDirty.month, StatsDirty.unit_id, StatsDirty.category_id)
                              .order_by(StatsDirty.marked_at).limit(limit)).all()
    counter = WorkingDayCounter(load_calendar())
    for month, unit_id, category_id in keys:
        recompute_cell(month, unit_id, category_id, at, counter)
    return len(keys)


def _month_column():
    """The first day of the month received, as SQL (the literal keeps GROUP BY equal to the SELECT)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date_trunc(literal_column("'month'"), Ticket.created_at)
    return func.strftime(literal_column("'%Y-%m-01'"), Ticket.created_at)


def _as_month(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


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
        key = (_as_month(values["month"]), values["lead_unit_id"] or NO_UNIT, values["category_id"])
        cells[key] = {"month": key[0], "unit_id": key[1], "category_id": key[2], "handling_days": 0,
                      "refreshed_at": at, **{c: values[c] for c in SQL_COUNTERS}}
    counter = WorkingDayCounter(load_calendar())
    replied = (select(month, Ticket.lead_unit_id, Ticket.category_id, Ticket.dispatched_at, Ticket.replied_at)
               .where(Ticket.replied_at.is_not(None)).execution_options(yield_per=5000))
    for row_month, unit_id, category_id, start, end in db.session.execute(replied):
        cell = cells.get((_as_month(row_month), unit_id or NO_UNIT, category_id))
        if cell is not None:
            cell["handling_days"] += counter.taken(start, end)
    _upsert_cells(list(cells.values()))
    stale = [tuple(k) for k in db.session.execute(
        select(StatsCell.month, StatsCell.unit_id, StatsCell.category_id)) if tuple(k) not in cells]
    for start in range(0, len(stale), 500):
        db.session.execute(delete(StatsCell).where(
            tuple_(StatsCell.month, StatsCell.unit_id, StatsCell.category_id).in_(stale[start:start + 500])))
    return len(cells)


# ---------------------------------------------------------------- adding cells up


@dataclass
class Row:
    """One line of a measures table: a unit, area or category (``key`` None for the totals)."""

    key: int | None
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def value(self, measure: str) -> int | float | None:
        return MEASURE_BY_KEY[measure].value(self.counts)

    def display(self, measure: str) -> str:
        return MEASURE_BY_KEY[measure].display(self.counts)

    @property
    def values(self) -> dict[str, int | float | None]:
        return {m.key: m.value(self.counts) for m in MEASURES}

    def add(self, counts: dict[str, int]) -> None:
        for c in COUNTERS:
            self.counts[c] += counts.get(c, 0) or 0


@dataclass
class Table:
    period: Period
    group_by: str
    rows: list[Row]
    total: Row


def _sums() -> list:
    return [func.coalesce(func.sum(getattr(StatsCell, c)), 0).label(c) for c in COUNTERS]


def _in_period(period: Period) -> list:
    return [StatsCell.month >= period.start, StatsCell.month < period.end]


def _unit_rows(period: Period) -> list[Row]:
    """One row per unit with tickets in the period, in the units' order; tickets not yet dispatched last."""
    sums = db.session.execute(
        select(StatsCell.unit_id, Unit.name, Unit.sort, *_sums())
        .outerjoin(Unit, Unit.id == StatsCell.unit_id).where(*_in_period(period))
        .group_by(StatsCell.unit_id, Unit.name, Unit.sort)).all()
    ordered = sorted(sums, key=lambda r: (r.unit_id == NO_UNIT, r.sort or 0, r.name or ""))
    return [Row(r.unit_id, r.name if r.unit_id != NO_UNIT else _("Not yet dispatched to a unit"),
                {c: int(getattr(r, c)) for c in COUNTERS}) for r in ordered]


def _category_rows(period: Period, areas: bool) -> list[Row]:
    sums = db.session.execute(select(StatsCell.category_id, *_sums()).where(*_in_period(period))
                              .group_by(StatsCell.category_id)).all()
    by_category = {r.category_id: {c: int(getattr(r, c)) for c in COUNTERS} for r in sums}
    categories = db.session.execute(select(Category.id, Category.name, Category.parent_id)
                                    .order_by(Category.sort, Category.id)).all()
    names = {c.id: c.name for c in categories}
    rows: dict[int, Row] = {}
    for c in categories:
        if areas and c.parent_id is None:
            rows[c.id] = Row(c.id, c.name)
    for c in categories:
        if c.id not in by_category:
            continue
        if areas:
            area = c.parent_id if c.parent_id is not None else c.id
            rows.setdefault(area, Row(area, names.get(area, "")))
            rows[area].add(by_category[c.id])
        else:
            full = f"{names[c.parent_id]} / {c.name}" if c.parent_id in names else c.name
            rows[c.id] = Row(c.id, full, by_category[c.id])
    return [r for r in rows.values() if r.counts["received"]]


def table(period: Period, group_by: str = "unit") -> Table:
    """The measures of ``period`` per unit, per area or per concrete category, with the totals."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    rows = _unit_rows(period) if group_by == "unit" else _category_rows(period, group_by == "area")
    total = Row(None, _("Total"))
    for row in rows:
        total.add(row.counts)
    return Table(period, group_by, rows, total)


@dataclass(frozen=True)
class Ranked:
    rank: int
    row: Row


def _ranking_key(row: Row) -> tuple:
    return tuple(-(v if v is not None else -1.0) for v in (row.value(k) for k in RANKING_ORDER))


def ranking(period: Period, unit_rows: list[Row] | None = None) -> tuple[list[Ranked], int]:
    """Units with at least ``MIN_TICKETS_FOR_RANKING`` complaints in ``period``, ranked (equal units
    share a rank); and how many units received complaints but too few to be ranked.

    ``unit_rows``: the rows of ``table(period, "unit")`` when the caller has them already.
    """
    rows = unit_rows if unit_rows is not None else _unit_rows(period)
    rows = [r for r in rows if r.key not in (None, NO_UNIT) and r.counts["received"]]
    eligible = sorted((r for r in rows if r.counts["received"] >= MIN_TICKETS_FOR_RANKING),
                      key=lambda r: (_ranking_key(r), r.name))
    ranked: list[Ranked] = []
    for position, row in enumerate(eligible, start=1):
        tied = ranked and _ranking_key(ranked[-1].row) == _ranking_key(row)
        ranked.append(Ranked(ranked[-1].rank if tied else position, row))
    return ranked, len(rows) - len(eligible)


@dataclass(frozen=True)
class TrendPoint:
    month: date
    counts: dict[str, int]

    @property
    def received(self) -> int:
        return self.counts["received"]

    @property
    def closed(self) -> int:
        return self.counts["closed"]

    @property
    def on_time_rate(self) -> float | None:
        return MEASURE_BY_KEY["on_time_completion"].value(self.counts)

    @property
    def satisfaction_rate(self) -> float | None:
        return MEASURE_BY_KEY["satisfaction"].value(self.counts)


def monthly_trend(months: int = 12, unit_id: int | None = None, category_id: int | None = None,
                  last: date | None = None) -> list[TrendPoint]:
    """Month by month, the ``months`` months up to ``last`` (default: this month): received, closed,
    on-time completion and satisfaction, optionally for one unit or one category (or area)."""
    last = month_of(last or now())
    first = add_months(last, -(months - 1))
    where = [StatsCell.month >= first, StatsCell.month <= last]
    if unit_id is not None:
        where.append(StatsCell.unit_id == unit_id)
    if category_id is not None:
        children = select(Category.id).where(Category.parent_id == category_id)
        where.append(or_(StatsCell.category_id == category_id, StatsCell.category_id.in_(children)))
    rows = db.session.execute(select(StatsCell.month, *_sums()).where(*where).group_by(StatsCell.month)).all()
    by_month = {_as_month(r.month): {c: int(getattr(r, c)) for c in COUNTERS} for r in rows}
    return [TrendPoint(m, by_month.get(m, dict.fromkeys(COUNTERS, 0))) for m in month_range(first, add_months(last, 1))]


def categories_with_published() -> set[int]:
    """Categories with a published ticket, from the cells (the disclosure filters offer them)."""
    return set(db.session.scalars(select(StatsCell.category_id).where(StatsCell.published > 0).distinct()))


def units_with_published() -> set[int]:
    """Lead units with a published ticket, from the cells."""
    return set(db.session.scalars(select(StatsCell.unit_id).where(
        StatsCell.published > 0, StatsCell.unit_id != NO_UNIT).distinct()))


def headline() -> dict[str, int | float | None]:
    """All-time totals for the public home page: received, closed, published and the satisfaction rate."""
    row = db.session.execute(select(*_sums())).one()._mapping
    counts = {c: int(row[c]) for c in COUNTERS}
    return {"received": counts["received"], "closed": counts["closed"], "published": counts["published"],
            "satisfaction_rate": MEASURE_BY_KEY["satisfaction"].value(counts)}


# ---------------------------------------------------------------- open overdue, live


@dataclass
class OverdueRow:
    unit_id: int
    name: str
    orange: int = 0
    red: int = 0

    @property
    def total(self) -> int:
        return self.orange + self.red


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


def open_overdue_by_unit() -> list[OverdueRow]:
    """Tickets late on a running handling clock, per lead unit, split by warning colour (orange, red),
    from the cells: a ticket turning orange or red raises an alert, whose event makes its cell be
    recomputed within minutes, so no request counts the (possibly large) overdue backlog itself."""
    total, red = func.sum(StatsCell.open_overdue), func.sum(StatsCell.open_overdue_red)
    counts = db.session.execute(
        select(StatsCell.unit_id, Unit.name, red.label("red"), total.label("total"))
        .outerjoin(Unit, Unit.id == StatsCell.unit_id)
        .group_by(StatsCell.unit_id, Unit.name).having(total > 0)).all()
    rows = [OverdueRow(c.unit_id, c.name or _("Not yet dispatched to a unit"),
                       orange=int(c.total) - int(c.red), red=int(c.red)) for c in counts]
    return sorted(rows, key=lambda r: (-r.red, -r.total, r.name))

