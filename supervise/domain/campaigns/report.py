"""The campaign report (晒问题、晒结果): the counts by class and unit, the resolution rate, the published
problems with their results, and the cumulative table of every campaign since the first.

The same :class:`Report` feeds the public page, the staff page and the .docx and XLSX downloads, so
their figures agree. Nothing in it names an enterprise: the problems are the published tickets'
moderated texts, masked as the public lists mask them (:mod:`supervise.domain.public_list`).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import load_only

from supervise.domain import public_list
from supervise.domain.campaigns.figures import Tally, tallies
from supervise.domain.redaction import redact
from supervise.domain.reference import Reference
from supervise.extensions import db
from supervise.models import Campaign, CampaignState, State, Ticket

#: The published problems listed in one report, newest first.
PROBLEMS_MAX = 200


@dataclass(frozen=True)
class PublishedProblem:
    tracking_no: str
    title: str
    category: str
    unit: str
    state: State
    result: str  # the published result (晒结果), masked; "" while none


@dataclass(frozen=True)
class Report:
    campaign: Campaign
    total: Tally
    by_class: list[tuple[str, Tally]]
    by_unit: list[tuple[str, Tally]]
    problems: list[PublishedProblem]


def _named(counts: dict, name) -> list[tuple[str, Tally]]:
    rows = [(name(key), tally) for key, tally in counts.items()]
    return sorted(rows, key=lambda row: (-row[1].raised, row[0]))


def _problems(campaign: Campaign, ref: Reference, at: datetime) -> list[PublishedProblem]:
    query = (
        select(Ticket)
        .where(Ticket.campaign_id == campaign.id, Ticket.published_at.is_not(None))
        .options(load_only(*public_list.COLUMNS, Ticket.public_reply, Ticket.result_published_at))
        .order_by(Ticket.published_at.desc(), Ticket.id.desc())
        .limit(PROBLEMS_MAX)
    )
    tickets = list(db.session.scalars(query))
    terms = public_list.terms_by_ticket(tickets)
    rows = public_list.items(tickets, ref, at)
    return [
        PublishedProblem(
            tracking_no=row.tracking_no,
            title=row.title,
            category=row.category,
            unit=row.lead_unit,
            state=row.state,
            result=redact(t.public_reply or "", terms[t.id]) if t.result_published_at else "",
        )
        for t, row in zip(tickets, rows, strict=True)
    ]


def campaign_report(campaign: Campaign, ref: Reference, at: datetime) -> Report:
    """The report of one campaign (a draft's too, for its staff page)."""
    found = tallies([campaign.id], at)[campaign.id]
    return Report(
        campaign=campaign,
        total=found.total,
        by_class=_named(found.by_category, ref.category_name),
        by_unit=_named(found.by_unit, lambda uid: ref.unit_name(uid) or "—"),
        problems=_problems(campaign, ref, at),
    )


def reported_campaigns() -> list[Campaign]:
    """The campaigns the public sees (opened at least once), newest period first."""
    query = select(Campaign).where(Campaign.state != CampaignState.DRAFT)
    return list(db.session.scalars(query.order_by(Campaign.year.desc(), Campaign.quarter.desc(), Campaign.id.desc())))


def cumulative(at: datetime) -> tuple[list[tuple[Campaign, Tally]], Tally]:
    """Every reported campaign with its totals, newest first, and the sum since the first."""
    campaigns = reported_campaigns()
    found = tallies([c.id for c in campaigns], at)
    rows = [(c, found[c.id].total) for c in campaigns]
    total = Tally()
    for _c, tally in rows:
        total.add(tally)
    return rows, total


def percent(rate: float | None) -> str:
    """A rate as the report prints it everywhere (page, .docx, XLSX): ``85.7%``, or ``—`` when none."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
