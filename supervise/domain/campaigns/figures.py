"""A campaign's figures, by grouped queries through the indexes (never a loop over tickets): its
problems by class (category) and unit with how they stand, its coverage, and the per-unit figures
the quarterly settlement scores ("campaign problems resolved")."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, distinct, func, or_, select, union

from supervise.domain import clocks
from supervise.extensions import db
from supervise.models import (
    Campaign,
    CampaignAnswer,
    CampaignVisit,
    Enterprise,
    LiaisonPair,
    Rating,
    State,
    Ticket,
    User,
)

#: The ratings that count as satisfied (基本满意 or better).
SATISFIED = [r for r in Rating if r.is_satisfied]
#: Ended without a result to count (declined, merged into another, forwarded to another zone).
SET_ASIDE = clocks.FINAL_STATES - {State.CLOSED}


@dataclass
class Tally:
    """Problems raised, and how they stand."""

    raised: int = 0
    resolved: int = 0  # closed (办结)
    in_progress: int = 0  # still open
    overdue: int = 0  # open and late on the handling clock, or recorded late
    set_aside: int = 0  # declined, merged or forwarded
    rated: int = 0
    satisfied: int = 0  # rated 基本满意 or better

    def add(self, other: "Tally") -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def resolution_rate(self) -> float | None:
        """Resolved among those raised, set-aside ones left out; None when there is none."""
        counted = self.raised - self.set_aside
        return self.resolved / counted if counted else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


@dataclass
class Tallies:
    """One campaign's problems: in all, by category id and by lead unit id (None: not yet dispatched)."""

    total: Tally = field(default_factory=Tally)
    by_category: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_unit: dict[int | None, Tally] = field(default_factory=lambda: defaultdict(Tally))


def _late(at: datetime):
    return or_(Ticket.overdue_at.is_not(None), clocks.overdue_clause(at))


def tallies(campaign_ids: list[int], at: datetime) -> dict[int, Tallies]:
    """Each campaign's :class:`Tallies`, from one query grouped by campaign, unit, category and state."""
    if not campaign_ids:
        return {}
    open_states = [s.value for s in clocks.OPEN_STATES]
    query = (
        select(
            Ticket.campaign_id,
            Ticket.lead_unit_id,
            Ticket.category_id,
            Ticket.state,
            func.count().label("n"),
            func.sum(case((and_(Ticket.state.in_(open_states), _late(at)), 1), else_=0)).label("overdue"),
            func.count(Ticket.rating).label("rated"),
            func.sum(case((Ticket.rating.in_(SATISFIED), 1), else_=0)).label("satisfied"),
        )
        .where(Ticket.campaign_id.in_(campaign_ids))
        .group_by(Ticket.campaign_id, Ticket.lead_unit_id, Ticket.category_id, Ticket.state)
    )
    found: dict[int, Tallies] = {cid: Tallies() for cid in campaign_ids}
    for row in db.session.execute(query):
        tally = Tally(raised=row.n, overdue=row.overdue or 0, rated=row.rated, satisfied=row.satisfied or 0)
        state = State(row.state)
        if state == State.CLOSED:
            tally.resolved = row.n
        elif state in SET_ASIDE:
            tally.set_aside = row.n
        else:
            tally.in_progress = row.n
        one = found[row.campaign_id]
        one.total.add(tally)
        one.by_category[row.category_id].add(tally)
        one.by_unit[row.lead_unit_id].add(tally)
    return found


# ---------------------------------------------------------------- coverage


@dataclass(frozen=True)
class VisitorCoverage:
    visitor_id: int
    name: str
    unit_id: int | None
    visits: int
    reached: int
    planned: int | None  # the targets paired with the cadre (包联), None for one without pairs


@dataclass(frozen=True)
class UnitCoverage:
    unit_id: int | None
    visits: int
    reached: int


@dataclass(frozen=True)
class Coverage:
    planned: int  # enterprises targeted
    reached: int  # targeted enterprises visited or that answered the questionnaire
    visited: int
    answered: int
    visits: int
    by_visitor: list[VisitorCoverage]
    by_unit: list[UnitCoverage]

    @property
    def rate(self) -> float | None:
        return self.reached / self.planned if self.planned else None


def coverage(campaign: Campaign) -> Coverage:
    """Reached against planned, for the campaign and per visiting cadre and unit (grouped queries)."""
    from supervise.domain.campaigns.rules import target_clause

    targets = select(Enterprise.id).where(target_clause(campaign))
    planned = db.session.scalar(select(func.count()).select_from(targets.subquery())) or 0
    visited = select(CampaignVisit.enterprise_id).where(CampaignVisit.campaign_id == campaign.id)
    answered = select(CampaignAnswer.enterprise_id).where(CampaignAnswer.campaign_id == campaign.id)
    reached_ids = union(visited, answered).subquery()
    reached = db.session.scalar(
        select(func.count()).select_from(reached_ids).where(reached_ids.c.enterprise_id.in_(targets))
    )
    counts = db.session.execute(
        select(
            func.count(distinct(CampaignVisit.enterprise_id)),
            func.count(),
            select(func.count()).where(CampaignAnswer.campaign_id == campaign.id).scalar_subquery(),
        ).where(CampaignVisit.campaign_id == campaign.id)
    ).one()
    return Coverage(
        planned=planned,
        reached=reached or 0,
        visited=counts[0],
        answered=counts[2],
        visits=counts[1],
        by_visitor=_by_visitor(campaign, targets),
        by_unit=_by_unit(campaign),
    )


def _by_visitor(campaign: Campaign, targets) -> list[VisitorCoverage]:
    rows = db.session.execute(
        select(
            CampaignVisit.visitor_id,
            func.count().label("visits"),
            func.count(distinct(CampaignVisit.enterprise_id)).label("reached"),
        )
        .where(CampaignVisit.campaign_id == campaign.id)
        .group_by(CampaignVisit.visitor_id)
    ).all()
    done = {r.visitor_id: r for r in rows}
    ids = {c.id for c in campaign.cadres} | set(done)
    if not ids:
        return []
    pairs = dict(
        db.session.execute(
            select(LiaisonPair.cadre_id, func.count())
            .where(LiaisonPair.cadre_id.in_(ids), LiaisonPair.enterprise_id.in_(targets))
            .group_by(LiaisonPair.cadre_id)
        ).all()
    )
    users = db.session.execute(select(User.id, User.name, User.unit_id).where(User.id.in_(ids)).order_by(User.id))
    return [
        VisitorCoverage(
            visitor_id=u.id,
            name=u.name,
            unit_id=u.unit_id,
            visits=done[u.id].visits if u.id in done else 0,
            reached=done[u.id].reached if u.id in done else 0,
            planned=pairs.get(u.id),
        )
        for u in users
    ]


def _by_unit(campaign: Campaign) -> list[UnitCoverage]:
    rows = db.session.execute(
        select(
            CampaignVisit.unit_id,
            func.count().label("visits"),
            func.count(distinct(CampaignVisit.enterprise_id)).label("reached"),
        )
        .where(CampaignVisit.campaign_id == campaign.id)
        .group_by(CampaignVisit.unit_id)
    ).all()
    done = {r.unit_id: r for r in rows}
    ids = [u.id for u in campaign.units] + [uid for uid in done if uid not in {u.id for u in campaign.units}]
    return [
        UnitCoverage(
            unit_id=uid, visits=done[uid].visits if uid in done else 0, reached=done[uid].reached if uid in done else 0
        )
        for uid in ids
    ]


# ---------------------------------------------------------------- for the quarterly settlement


@dataclass(frozen=True)
class CampaignFigures:
    """A unit's campaign problems raised in a period, and how many were resolved (on time)."""

    raised: int
    resolved: int
    resolved_on_time: int

    @property
    def resolved_rate(self) -> float | None:
        return self.resolved / self.raised if self.raised else None


def campaign_figures(unit_ids: list[int], start: datetime, end: datetime) -> dict[int, CampaignFigures]:
    """Per lead unit: the campaign problems (tickets tagged with any campaign) received in
    ``[start, end)``, those closed, and those closed without ever being late (not recorded overdue,
    replied by the handling deadline). Units without any get zeros. One grouped query."""
    if not unit_ids:
        return {}
    on_time = and_(
        Ticket.state == State.CLOSED,
        Ticket.overdue_at.is_(None),
        or_(Ticket.replied_at.is_(None), Ticket.handle_due.is_(None), Ticket.replied_at <= Ticket.handle_due),
    )
    rows = db.session.execute(
        select(
            Ticket.lead_unit_id,
            func.count(),
            func.sum(case((Ticket.state == State.CLOSED, 1), else_=0)),
            func.sum(case((on_time, 1), else_=0)),
        )
        .where(
            Ticket.campaign_id.is_not(None),
            Ticket.lead_unit_id.in_(unit_ids),
            Ticket.created_at >= start,
            Ticket.created_at < end,
        )
        .group_by(Ticket.lead_unit_id)
    ).all()
    found = {uid: CampaignFigures(0, 0, 0) for uid in unit_ids}
    for unit_id, raised, resolved, timely in rows:
        found[unit_id] = CampaignFigures(raised, resolved or 0, timely or 0)
    return found
