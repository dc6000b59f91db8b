"""Liaison pledges, the read side: a cadre's figures (enterprises served, visits this year, the average
rating), the public card, and the office's overview.

The public card never names an enterprise: it shows how many are served, visits only as counts by
month, and every text (the pledge, the projects) masked with the names and aliases of every paired
enterprise and the known patterns (phones, e-mails, codes).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, exists, extract, func, select
from sqlalchemy.orm import selectinload

from supervise.domain.pledges import served_projects
from supervise.domain.redaction import redact
from supervise.extensions import db
from supervise.models import CadreCard, Enterprise, LiaisonPair, Role, ServiceRating, User, VisitLog


@dataclass
class Figures:
    """What a card counts, for one year."""

    enterprises: int = 0
    visits: int = 0
    ratings: int = 0
    average: float | None = None


@dataclass
class PublicCard:
    """A card as the public sees it: plain values, already masked."""

    cadre_id: int
    name: str
    unit: str
    title: str
    pledge: str
    figures: Figures
    projects: list[tuple[str, str]] = field(default_factory=list)  # (name, stage), masked
    months: list[int] = field(default_factory=list)  # visits in each month of the year


def year_start(year: int) -> date:
    return date(year, 1, 1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def figures(cadre_ids: Iterable[int], year: int) -> dict[int, Figures]:
    """The figures of each cadre in ``cadre_ids`` for ``year``: three grouped queries, whatever the number."""
    ids = list(cadre_ids)
    found = {cadre_id: Figures() for cadre_id in ids}
    if not ids:
        return found
    pairs = (
        select(LiaisonPair.cadre_id, func.count()).where(LiaisonPair.cadre_id.in_(ids)).group_by(LiaisonPair.cadre_id)
    )
    for cadre_id, count in db.session.execute(pairs):
        found[cadre_id].enterprises = count
    visits = (
        select(VisitLog.cadre_id, func.count())
        .where(
            VisitLog.cadre_id.in_(ids),
            VisitLog.visited_on >= year_start(year),
            VisitLog.visited_on < year_start(year + 1),
        )
        .group_by(VisitLog.cadre_id)
    )
    for cadre_id, count in db.session.execute(visits):
        found[cadre_id].visits = count
    ratings = (
        select(ServiceRating.cadre_id, func.count(), func.avg(ServiceRating.score))
        .where(ServiceRating.cadre_id.in_(ids), ServiceRating.year == year)
        .group_by(ServiceRating.cadre_id)
    )
    for cadre_id, count, average in db.session.execute(ratings):
        found[cadre_id].ratings = count
        found[cadre_id].average = round(float(average), 1) if average is not None else None
    return found


def visits_by_month(cadre_id: int, year: int) -> list[int]:
    """The cadre's visits in each month of ``year`` (twelve counts)."""
    month = extract("month", VisitLog.visited_on)
    rows = db.session.execute(
        select(month, func.count())
        .where(
            VisitLog.cadre_id == cadre_id,
            VisitLog.visited_on >= year_start(year),
            VisitLog.visited_on < year_start(year + 1),
        )
        .group_by(month)
    )
    counts = [0] * 12
    for number, count in rows:
        counts[int(number) - 1] = count
    return counts


def masking_terms(cadre_id: int) -> list[str]:
    """The names and aliases of every enterprise paired with the cadre, and the contacts' names."""
    enterprises = db.session.scalars(
        select(Enterprise)
        .join(LiaisonPair, LiaisonPair.enterprise_id == Enterprise.id)
        .where(LiaisonPair.cadre_id == cadre_id)
    )
    terms: list[str] = []
    for enterprise in enterprises:
        terms += enterprise.redaction_terms()
        if enterprise.contact_name and len(enterprise.contact_name) >= 2:
            terms.append(enterprise.contact_name)
    return terms


def published_cards(unit_id: int | None = None) -> Select:
    """The published cards of active cadres (of ``unit_id`` when given), with their cadre and unit."""
    query = (
        select(CadreCard)
        .join(User, User.id == CadreCard.cadre_id)
        .where(CadreCard.published.is_(True), User.active, User.role == Role.CADRE)
        .options(selectinload(CadreCard.cadre), selectinload(CadreCard.unit))
    )
    if unit_id is not None:
        query = query.where(CadreCard.unit_id == unit_id)
    return query


def public_summary(cards: list[CadreCard], year: int) -> list[PublicCard]:
    """The list page's cards: name, unit, title, the masked pledge and the figures (no projects, no months).

    The pledge is masked with the patterns and the cadre's own enterprises' names; one query fetches
    the names for the whole page.
    """
    found = figures([c.cadre_id for c in cards], year)
    terms: dict[int, list[str]] = {c.cadre_id: [] for c in cards}
    if cards:
        rows = db.session.execute(
            select(LiaisonPair.cadre_id, Enterprise.name, Enterprise.aliases, Enterprise.contact_name)
            .join(Enterprise, Enterprise.id == LiaisonPair.enterprise_id)
            .where(LiaisonPair.cadre_id.in_(list(terms)))
        )
        for cadre_id, name, aliases, contact in rows:
            terms[cadre_id] += Enterprise.terms_of(name, aliases) + ([contact] if contact and len(contact) >= 2 else [])
    return [_public(card, found[card.cadre_id], terms[card.cadre_id]) for card in cards]


def _public(card: CadreCard, figures_: Figures, terms: list[str]) -> PublicCard:
    return PublicCard(
        cadre_id=card.cadre_id,
        name=card.cadre.name,
        unit=card.unit.name if card.unit else "",
        title=redact(card.title, terms),
        pledge=redact(card.pledge, terms),
        figures=figures_,
    )


def public_card(cadre_id: int, year: int) -> PublicCard | None:
    """The published card of the cadre ``cadre_id`` as the public sees it; None if there is none."""
    card = db.session.scalar(published_cards().where(CadreCard.cadre_id == cadre_id))
    if card is None:
        return None
    terms = masking_terms(cadre_id)
    shown = _public(card, figures([cadre_id], year)[cadre_id], terms)
    shown.projects = [(redact(p.name, terms), redact(p.stage, terms)) for p in served_projects(card.cadre)]
    shown.months = visits_by_month(cadre_id, year)
    return shown


# ---------------------------------------------------------------- the office's overview


def all_cadres() -> list[tuple[User, CadreCard | None]]:
    """Every active cadre with their card (or None), by name: the office's overview."""
    rows = db.session.execute(
        select(User, CadreCard)
        .outerjoin(CadreCard, CadreCard.cadre_id == User.id)
        .where(User.role == Role.CADRE, User.active)
        .options(selectinload(CadreCard.unit))
        .order_by(User.name, User.id)
    ).all()
    return [(user, card) for user, card in rows]


def without_visits_since(since: date) -> list[User]:
    """The active cadres with paired enterprises and no visit logged on or after ``since`` (walked on
    the (cadre, date) index)."""
    visited = exists().where(VisitLog.cadre_id == User.id, VisitLog.visited_on >= since)
    paired = exists().where(LiaisonPair.cadre_id == User.id)
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.CADRE, User.active, paired, ~visited).order_by(User.name, User.id)
        )
    )
