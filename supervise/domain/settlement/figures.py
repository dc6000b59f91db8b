"""What a quarter's scoring measures: each figure's definition, and how it is measured per unit.

Ticket figures come from the measure cells (:mod:`supervise.domain.measures`), supervision orders and
the site tour's scores from their own tables, each by one grouped query for the quarter. Other
registers add their figures with :func:`register`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from supervise.domain.campaigns.figures import campaign_figures
from supervise.domain.measures import reports
from supervise.domain.measures.periods import Period
from supervise.domain.projects.figures import project_figures
from supervise.extensions import db
from supervise.models import NO_UNIT, SupervisionOrder, Ticket, Unit
from supervise.models.settlement import SiteTourScore

MAX_SCORE = 100  # a site-tour score is out of 100, like every figure's points

#: A figure's values for the quarter: unit id -> value (a rate 0–1, a count, or a score 0–100).
Values = dict[int, float]
#: Measures a figure for a quarter; the dict is shared by the figures of one scoring, to read a table once.
Source = Callable[[Period, dict], Values]


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    description: Any
    kind: str  # rate | count | score
    source: Source
    higher_is_better: bool = True
    default_weight: int = 0


def _measure(key: str) -> Source:
    """A ticket measure of the statistics pages, per unit, for the quarter."""

    def values(period: Period, shared: dict) -> Values:
        if "unit_measures" not in shared:
            rows = reports.table(period, "unit").rows
            shared["unit_measures"] = {row.key: row.values for row in rows if row.key != NO_UNIT}
        measured = {unit: values.get(key) for unit, values in shared["unit_measures"].items()}
        return {unit: value for unit, value in measured.items() if value is not None}

    return values


def _orders_on_time(period: Period, _shared: dict) -> Values:
    """Supervision orders due in the quarter answered by their deadline, per lead unit."""
    rows = db.session.execute(
        select(Ticket.lead_unit_id, SupervisionOrder.deadline, SupervisionOrder.answered_at)
        .join(Ticket, Ticket.id == SupervisionOrder.ticket_id)
        .where(SupervisionOrder.deadline >= period.start, SupervisionOrder.deadline < period.end)
        .where(Ticket.lead_unit_id.is_not(None))
    ).all()
    due: dict[int, int] = {}
    on_time: dict[int, int] = {}
    for unit_id, deadline, answered_at in rows:
        due[unit_id] = due.get(unit_id, 0) + 1
        on_time[unit_id] = on_time.get(unit_id, 0) + (answered_at is not None and answered_at.date() <= deadline)
    return {unit: on_time[unit] / count for unit, count in due.items()}


def _site_tour(period: Period, _shared: dict) -> Values:
    """The average of the evaluation group's scores of the unit's sites on the quarter's tour."""
    rows = db.session.execute(
        select(SiteTourScore.unit_id, func.avg(SiteTourScore.score))
        .where(SiteTourScore.year == period.year, SiteTourScore.quarter == period.number)
        .group_by(SiteTourScore.unit_id)
    ).all()
    return {unit: float(Decimal(str(avg))) for unit, avg in rows}


def _projects(numerator: str, denominator: str) -> Source:
    """A share of the key projects' duties per lead unit (``projects.figures.project_figures``)."""

    def values(period: Period, shared: dict) -> Values:
        if "projects" not in shared:
            units = list(db.session.scalars(select(Unit.id).where(Unit.handles_tickets)))
            shared["projects"] = project_figures(units, period.start, period.end - timedelta(days=1))
        found = shared["projects"]
        return {
            unit: getattr(f, numerator) / getattr(f, denominator)
            for unit, f in found.items()
            if getattr(f, denominator)
        }

    return values


def _campaign_resolved(period: Period, _shared: dict) -> Values:
    """The share of the problems that the quarter's campaigns raised with the unit that are resolved."""
    units = list(db.session.scalars(select(Unit.id).where(Unit.handles_tickets)))
    start = datetime.combine(period.start, time.min)
    found = campaign_figures(units, start, datetime.combine(period.end, time.min))
    return {unit: f.resolved / f.raised for unit, f in found.items() if f.raised}


FIGURES: dict[str, Figure] = {}


def register(figure: Figure) -> None:
    """Add ``figure`` to what a scheme can weigh (other registers call this at import)."""
    FIGURES[figure.key] = figure


for _figure in (
    Figure(
        "signed_on_time",
        _l("Signed for on time"),
        _l("Share of the complaints dispatched to the unit that it signed for within one working day."),
        "rate",
        _measure("on_time_signing"),
        default_weight=10,
    ),
    Figure(
        "replied_on_time",
        _l("Replied on time"),
        _l("Share of the unit's replies sent within the handling time limit."),
        "rate",
        _measure("on_time_completion"),
        default_weight=15,
    ),
    Figure(
        "first_satisfaction",
        _l("First-round satisfaction"),
        _l("Share of first ratings that were satisfied or very satisfied."),
        "rate",
        _measure("first_satisfaction"),
        default_weight=15,
    ),
    Figure(
        "satisfaction",
        _l("Final satisfaction"),
        _l("Share of final ratings that were satisfied or very satisfied."),
        "rate",
        _measure("satisfaction"),
        default_weight=10,
    ),
    Figure(
        "reopen",
        _l("Reopen rate"),
        _l("Share of dispatched complaints reopened after a bad rating; lower is better."),
        "rate",
        _measure("reopen"),
        higher_is_better=False,
        default_weight=5,
    ),
    Figure(
        "open_overdue",
        _l("Open and overdue"),
        _l(
            "The quarter's complaints still open past their handling deadline when scored; fewer is better "
            "(the fewest among the units score 100, the most 0)."
        ),
        "count",
        _measure("open_overdue"),
        higher_is_better=False,
        default_weight=10,
    ),
    Figure(
        "orders_on_time",
        _l("Supervision orders answered on time"),
        _l("Share of the supervision orders due in the quarter that the unit answered by their deadline."),
        "rate",
        _orders_on_time,
        default_weight=5,
    ),
    Figure(
        "project_reports_on_time",
        _l("Project reports on time"),
        _l("Share of the key projects' monthly reports due in the quarter that the lead unit sent by the due day."),
        "rate",
        _projects("reports_on_time", "reports_due"),
        default_weight=5,
    ),
    Figure(
        "milestones_met",
        _l("Milestones met"),
        _l("Share of the key projects' milestones planned in the quarter that were reached by their planned day."),
        "rate",
        _projects("milestones_met", "milestones_due"),
        default_weight=5,
    ),
    Figure(
        "blockers_cleared",
        _l("Blockers cleared"),
        _l("Share of the blockers reported on the unit's key projects in the quarter that are cleared."),
        "rate",
        _projects("blockers_cleared", "blockers_raised"),
        default_weight=5,
    ),
    Figure(
        "campaign_resolved",
        _l("Campaign problems resolved"),
        _l("Share of the problems raised with the unit by the quarter's campaigns that are resolved."),
        "rate",
        _campaign_resolved,
        default_weight=5,
    ),
    Figure(
        "site_tour",
        _l("Site tour"),
        _l("Average of the evaluation group's scores (0–100) of the unit's sites on the quarter's tour."),
        "score",
        _site_tour,
        default_weight=10,
    ),
):
    register(_figure)


def default_weights() -> dict[str, int]:
    return {key: figure.default_weight for key, figure in FIGURES.items()}


def points(figure: Figure, value: float, values: Values) -> float:
    """``value`` as points out of 100: a rate as a percentage (reversed when lower is better), a score
    as it is, a count between the fewest (100) and the most (0) among the units measured."""
    if figure.kind == "rate":
        return 100 * (value if figure.higher_is_better else 1 - value)
    if figure.kind == "score":
        return value
    low, high = min(values.values()), max(values.values())
    if high == low:
        return 100.0
    share = (value - low) / (high - low)
    return 100 * (share if figure.higher_is_better else 1 - share)
