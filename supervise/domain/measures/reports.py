"""Cells added up: the measures table of a period, the ranking of units, monthly trends, the headline
numbers of the public home page and the open overdue tickets per unit. No function here scans tickets."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from supervise.domain.clock import now
from supervise.domain.measures.definitions import (
    COUNTERS,
    GROUPINGS,
    MEASURE_BY_KEY,
    MEASURES,
    MIN_TICKETS_FOR_RANKING,
    RANKING_ORDER,
)
from supervise.domain.measures.periods import Period, add_months, as_month, month_of, month_range
from supervise.extensions import db
from supervise.models import NO_UNIT, Category, StatsCell, Unit


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
        .outerjoin(Unit, Unit.id == StatsCell.unit_id)
        .where(*_in_period(period))
        .group_by(StatsCell.unit_id, Unit.name, Unit.sort)
    ).all()
    ordered = sorted(sums, key=lambda r: (r.unit_id == NO_UNIT, r.sort or 0, r.name or ""))
    return [
        Row(
            r.unit_id,
            r.name if r.unit_id != NO_UNIT else _("Not yet dispatched to a unit"),
            {c: int(getattr(r, c)) for c in COUNTERS},
        )
        for r in ordered
    ]


def _category_rows(period: Period, areas: bool) -> list[Row]:
    sums = db.session.execute(
        select(StatsCell.category_id, *_sums()).where(*_in_period(period)).group_by(StatsCell.category_id)
    ).all()
    by_category = {r.category_id: {c: int(getattr(r, c)) for c in COUNTERS} for r in sums}
    categories = db.session.execute(
        select(Category.id, Category.name, Category.parent_id).order_by(Category.sort, Category.id)
    ).all()
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
    eligible = sorted(
        (r for r in rows if r.counts["received"] >= MIN_TICKETS_FOR_RANKING), key=lambda r: (_ranking_key(r), r.name)
    )
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


def monthly_trend(
    months: int = 12, unit_id: int | None = None, category_id: int | None = None, last: date | None = None
) -> list[TrendPoint]:
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
    by_month = {as_month(r.month): {c: int(getattr(r, c)) for c in COUNTERS} for r in rows}
    return [TrendPoint(m, by_month.get(m, dict.fromkeys(COUNTERS, 0))) for m in month_range(first, add_months(last, 1))]


def categories_with_published() -> set[int]:
    """Categories with a published ticket, from the cells (the disclosure filters offer them)."""
    return set(db.session.scalars(select(StatsCell.category_id).where(StatsCell.published > 0).distinct()))


def units_with_published() -> set[int]:
    """Lead units with a published ticket, from the cells."""
    return set(
        db.session.scalars(
            select(StatsCell.unit_id).where(StatsCell.published > 0, StatsCell.unit_id != NO_UNIT).distinct()
        )
    )


def headline() -> dict[str, int | float | None]:
    """All-time totals for the public home page: received, closed, published and the satisfaction rate."""
    row = db.session.execute(select(*_sums())).one()._mapping
    counts = {c: int(row[c]) for c in COUNTERS}
    return {
        "received": counts["received"],
        "closed": counts["closed"],
        "published": counts["published"],
        "satisfaction_rate": MEASURE_BY_KEY["satisfaction"].value(counts),
    }


@dataclass
class OverdueRow:
    unit_id: int
    name: str
    orange: int = 0
    red: int = 0

    @property
    def total(self) -> int:
        return self.orange + self.red


def open_overdue_by_unit() -> list[OverdueRow]:
    """Tickets late on a running handling clock, per lead unit, split by warning colour (orange, red),
    from the cells: a ticket turning orange or red raises an alert, whose event makes its cell be
    recomputed within minutes, so no request counts the (possibly large) overdue backlog itself."""
    total, red = func.sum(StatsCell.open_overdue), func.sum(StatsCell.open_overdue_red)
    counts = db.session.execute(
        select(StatsCell.unit_id, Unit.name, red.label("red"), total.label("total"))
        .outerjoin(Unit, Unit.id == StatsCell.unit_id)
        .group_by(StatsCell.unit_id, Unit.name)
        .having(total > 0)
    ).all()
    rows = [
        OverdueRow(
            c.unit_id, c.name or _("Not yet dispatched to a unit"), orange=int(c.total) - int(c.red), red=int(c.red)
        )
        for c in counts
    ]
    return sorted(rows, key=lambda r: (-r.red, -r.total, r.name))
