"""Scoring a quarter and freezing it.

A unit's score is the weighted average of its figures' points (0–100) over the figures it has a value
for, with the weights of the quarter's latest scheme version. Settling copies the figures, points,
scores, ranks, the definitions and the problems still open into the settlement; afterwards only a
recorded :class:`~supervise.models.settlement.Adjustment` changes a scorecard.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, insert, literal, select
from sqlalchemy.orm import selectinload

from supervise.domain import clocks
from supervise.domain.measures.periods import Period
from supervise.domain.settlement.figures import FIGURES, default_weights, points
from supervise.extensions import db
from supervise.models import Ticket, Unit, User
from supervise.models.settlement import Adjustment, CarriedProblem, Scorecard, ScoringScheme, Settlement

MAX_WEIGHT = 100
MAX_ADJUSTMENT = Decimal(20)
CENT = Decimal("0.01")


class SettlementError(Exception):
    """A settlement step refused: the message says why, in the user's language."""


@dataclass
class Card:
    """A unit's score for a quarter, as previewed or as settled."""

    unit_id: int
    unit_name: str
    figures: dict[str, dict] = field(default_factory=dict)  # key -> {"value": …, "points": …}
    score: Decimal = Decimal(0)
    adjusted: Decimal = Decimal(0)
    rank: int = 0


def _cents(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def current_scheme(period: Period) -> ScoringScheme | None:
    """The quarter's latest scheme version, if one was saved."""
    return db.session.scalar(
        select(ScoringScheme)
        .where(ScoringScheme.year == period.year, ScoringScheme.quarter == period.number)
        .order_by(ScoringScheme.version.desc())
        .limit(1)
    )


def weights_of(scheme: ScoringScheme | None) -> dict[str, int]:
    """The weights in force: the scheme's, or the default ones before any was saved."""
    return dict(scheme.weights) if scheme is not None else default_weights()


def save_scheme(period: Period, weights: dict[str, int], note: str, author: User, at: datetime) -> ScoringScheme:
    """Write the quarter's next scheme version with ``weights`` (points per figure)."""
    if settlement_of(period) is not None:
        raise SettlementError(_l("This quarter is settled: its scheme can no longer change."))
    unknown = set(weights) - set(FIGURES)
    if unknown or any(not 0 <= w <= MAX_WEIGHT for w in weights.values()):
        raise SettlementError(_l("Each weight must be a whole number from 0 to %(max)d.", max=MAX_WEIGHT))
    if not any(weights.values()):
        raise SettlementError(_l("Give at least one figure a weight."))
    latest = current_scheme(period)
    scheme = ScoringScheme(
        year=period.year,
        quarter=period.number,
        version=(latest.version + 1) if latest else 1,
        weights={key: int(weights.get(key, 0)) for key in FIGURES},
        note=note.strip(),
        created_by_id=author.id,
        created_at=at,
    )
    db.session.add(scheme)
    db.session.flush()
    return scheme


def _rank(cards: list[Card]) -> list[Card]:
    """Order by adjusted score, then name; equal scores share a rank (1, 2, 2, 4)."""
    cards.sort(key=lambda c: (-c.adjusted, c.unit_name))
    for position, card in enumerate(cards, 1):
        same = position > 1 and cards[position - 2].adjusted == card.adjusted
        card.rank = cards[position - 2].rank if same else position
    return cards


def _score(figures: dict[str, dict], weights: dict[str, int]) -> Decimal | None:
    weighed = [(weights.get(k, 0), f["points"]) for k, f in figures.items() if f["points"] is not None]
    total = sum(w for w, _p in weighed)
    if not total:
        return None
    return _cents(sum(w * p for w, p in weighed) / total)


def preview(period: Period, weights: dict[str, int] | None = None) -> list[Card]:
    """Every unit's score for ``period`` from the figures as measured now, ranked."""
    weights = weights if weights is not None else weights_of(current_scheme(period))
    shared: dict = {}
    measured = {key: figure.source(period, shared) for key, figure in FIGURES.items() if weights.get(key)}
    units = db.session.execute(select(Unit.id, Unit.name).where(Unit.handles_tickets).order_by(Unit.sort, Unit.id))
    cards = []
    for unit_id, name in units:
        figures = {}
        for key, values in measured.items():
            value = values.get(unit_id)
            earned = None if value is None else round(points(FIGURES[key], value, values), 2)
            figures[key] = {"value": value, "points": earned}
        score = _score(figures, weights)
        if score is not None:
            cards.append(Card(unit_id, name, figures, score, score))
    return _rank(cards)


def settlement_of(period: Period) -> Settlement | None:
    return db.session.scalar(
        select(Settlement)
        .where(Settlement.year == period.year, Settlement.quarter == period.number)
        .options(selectinload(Settlement.scorecards).selectinload(Scorecard.adjustments))
    )


def quarter_over(period: Period, at: datetime) -> bool:
    return at.date() >= period.end


def _definitions(weights: dict[str, int]) -> list[dict]:
    return [
        {"key": key, "weight": weights.get(key, 0), "kind": f.kind, "higher_is_better": f.higher_is_better}
        for key, f in FIGURES.items()
        if weights.get(key)
    ]


def _carry_open_problems(settlement: Settlement, period: Period, at: datetime) -> None:
    """Copy the complaints filed by the quarter's end and still open into the settlement, in one statement."""
    overdue = case((clocks.overdue_clause(at), True), else_=False)
    quarter_end = datetime.combine(period.end, datetime.min.time())
    db.session.execute(
        insert(CarriedProblem).from_select(
            ["settlement_id", "ticket_id", "unit_id", "tracking_no", "title", "unit_name", "state", "overdue"],
            select(
                literal(settlement.id),
                Ticket.id,
                Ticket.lead_unit_id,
                func.coalesce(Ticket.tracking_no, ""),
                Ticket.title,
                func.coalesce(Unit.name, ""),
                Ticket.state,
                overdue,
            )
            .outerjoin(Unit, Unit.id == Ticket.lead_unit_id)
            .where(Ticket.state.in_(clocks.OPEN_STATES), Ticket.created_at < quarter_end)
            .order_by(Ticket.id),
        )
    )


def settle(period: Period, author: User, at: datetime) -> Settlement:
    """Freeze ``period``: its scorecards, ranking, definitions and open problems, as they stand ``at``."""
    if period.kind != "quarter":
        raise SettlementError(_l("Only a quarter can be settled."))
    if not quarter_over(period, at):
        raise SettlementError(_l("The quarter is not over yet: preview it, and settle it after its last day."))
    if settlement_of(period) is not None:
        raise SettlementError(_l("This quarter is already settled."))
    scheme = current_scheme(period) or save_scheme(period, default_weights(), "", author, at)
    cards = preview(period, weights_of(scheme))
    if not cards:
        raise SettlementError(_l("No unit has anything to score in this quarter."))
    settlement = Settlement(
        year=period.year,
        quarter=period.number,
        scheme_id=scheme.id,
        settled_at=at,
        settled_by_id=author.id,
        definitions=_definitions(weights_of(scheme)),
    )
    settlement.scorecards = [
        Scorecard(
            unit_id=c.unit_id, unit_name=c.unit_name, figures=c.figures, score=c.score, adjusted=c.score, rank=c.rank
        )
        for c in cards
    ]
    db.session.add(settlement)
    db.session.flush()
    _carry_open_problems(settlement, period, at)
    return settlement


def adjust(scorecard: Scorecard, points_: str | Decimal, reason: str, author: User, at: datetime) -> Adjustment:
    """Record a correction of ``scorecard`` by ``points_`` with its reason; the quarter is ranked again."""
    try:
        amount = _cents(Decimal(str(points_).strip()))
    except ArithmeticError:
        raise SettlementError(_l("Give the points as a number, e.g. 2 or -1.5.")) from None
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise SettlementError(_l("An adjustment is from -%(max)s to %(max)s points, not 0.", max=MAX_ADJUSTMENT))
    if not reason.strip():
        raise SettlementError(_l("Say why the score is adjusted: the reason is recorded with it."))
    adjustment = Adjustment(points=amount, reason=reason.strip(), author_id=author.id, at=at)
    scorecard.adjustments.append(adjustment)
    scorecard.adjusted = _cents(scorecard.score + sum(a.points for a in scorecard.adjustments))
    cards = scorecard.settlement.scorecards
    ranked = _rank([Card(c.id, c.unit_name, adjusted=c.adjusted) for c in cards])
    rank_of = {card.unit_id: card.rank for card in ranked}
    for card in cards:
        card.rank = rank_of[card.id]
    db.session.flush()
    return adjustment


def history(unit_id: int) -> list[tuple[Settlement, Scorecard, int]]:
    """A unit's settled quarters, newest first: the settlement, its scorecard and how many were ranked."""
    ranked = select(Scorecard.settlement_id, func.count().label("n")).group_by(Scorecard.settlement_id).subquery()
    rows = db.session.execute(
        select(Settlement, Scorecard, ranked.c.n)
        .join(Scorecard, Scorecard.settlement_id == Settlement.id)
        .join(ranked, ranked.c.settlement_id == Settlement.id)
        .where(Scorecard.unit_id == unit_id)
        .order_by(Settlement.year.desc(), Settlement.quarter.desc())
    ).all()
    return [(s, c, n) for s, c, n in rows]
