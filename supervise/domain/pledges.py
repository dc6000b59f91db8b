"""Liaison pledges (包联 亮身份、亮承诺), the write side: a cadre's card and pledge, the visits to the
paired enterprises, the enterprises' yearly rating of the service, publishing a card.

Every operation takes the acting user, checks what that user may do, changes the session and never
commits. What the public sees of all this is in :mod:`supervise.domain.pledge_figures`.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from supervise.domain import public_generation
from supervise.domain.clock import now
from supervise.domain.projects.register import STAGE_LABELS
from supervise.extensions import db
from supervise.models import (
    CadreCard,
    CadreProject,
    Enterprise,
    LiaisonPair,
    Role,
    ServiceRating,
    Ticket,
    Unit,
    User,
    VisitLog,
    VisitWay,
)
from supervise.models.project import Project, project_team

PLEDGE_MAX = 2000
SUMMARY_MAX = 2000
COMMENT_MAX = 500
SCORES = range(1, 6)
OVERSEERS = (Role.SUPERVISOR, Role.ADMIN)


class PledgeError(Exception):
    """A refused pledge operation; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotPaired(PledgeError):
    """The enterprise is not paired with the cadre."""

    def __init__(self):
        super().__init__(_l("This enterprise is not paired with you."))


class AlreadyRated(PledgeError):
    def __init__(self):
        super().__init__(_l("You have already rated this cadre's service this year: one rating a year."))


# ---------------------------------------------------------------- the card


def card_of(cadre: User) -> CadreCard | None:
    """The cadre's card, if they have written one."""
    return db.session.scalar(select(CadreCard).where(CadreCard.cadre_id == cadre.id))


def save_card(cadre: User, *, unit: Unit | None, title: str, pledge: str, phone: str) -> CadreCard:
    """Write the cadre's own card (created on the first save). A published card stays published: the
    public pages show the new text on the next request."""
    if cadre.role != Role.CADRE:
        raise PledgeError(_l("Only a liaison cadre has a card."))
    pledge = (pledge or "").strip()
    if not pledge:
        raise PledgeError(_l("Write your pledge."))
    if len(pledge) > PLEDGE_MAX:
        raise PledgeError(_l("The pledge is too long."))
    card = card_of(cadre)
    if card is None:
        card = CadreCard(cadre=cadre, published=False)
        db.session.add(card)
    card.unit = unit
    card.title = (title or "").strip()
    card.pledge = pledge
    card.phone = (phone or "").strip()
    card.updated_at = now()
    if card.published:
        public_generation.bump(db.session)
    return card


def set_published(actor: User, card: CadreCard, published: bool) -> None:
    """Publish (亮身份、亮承诺) or withdraw ``card``; a supervisor's or an administrator's decision."""
    if actor.role not in OVERSEERS:
        raise PledgeError(_l("Only the business-environment office publishes cards."))
    if card.published != published:
        card.published = published
        public_generation.bump(db.session)


@dataclass(frozen=True)
class ServedProject:
    """A key project on a cadre's card: its name and stage as shown."""

    name: str
    stage: str


def served_projects(user: User) -> list[ServedProject]:
    """The key projects ``user`` serves: the published ones of the key-project register where they are
    the chief service officer (首席服务官), the secretary or on the service team, then the cadre's own
    list for projects the register does not hold (the one place that says where they come from)."""
    serving = or_(
        Project.chief_officer_id == user.id,
        Project.secretary_id == user.id,
        Project.id.in_(select(project_team.c.project_id).where(project_team.c.user_id == user.id)),
    )
    registered = db.session.scalars(select(Project).where(Project.public.is_(True), serving).order_by(Project.id))
    served = [ServedProject(p.name, str(STAGE_LABELS.get(p.stage, p.stage))) for p in registered]
    own = db.session.scalars(
        select(CadreProject).where(CadreProject.cadre_id == user.id).order_by(CadreProject.sort, CadreProject.id)
    )
    names = {s.name for s in served}
    return served + [ServedProject(p.name, p.stage) for p in own if p.name not in names]


def add_project(cadre: User, name: str, stage: str = "") -> CadreProject:
    """Add a key project to the list the cadre serves."""
    name = (name or "").strip()
    if not name:
        raise PledgeError(_l("Name the project."))
    project = CadreProject(cadre_id=cadre.id, name=name[:120], stage=(stage or "").strip()[:60])
    project.sort = db.session.scalar(select(func.count()).where(CadreProject.cadre_id == cadre.id)) or 0
    db.session.add(project)
    public_generation.bump(db.session)
    return project


# ---------------------------------------------------------------- visits


def paired_enterprise(cadre: User, enterprise_id: int) -> Enterprise | None:
    """The enterprise ``enterprise_id`` if it is paired with ``cadre``; else None."""
    return db.session.scalar(
        select(Enterprise)
        .join(LiaisonPair, LiaisonPair.enterprise_id == Enterprise.id)
        .where(LiaisonPair.cadre_id == cadre.id, Enterprise.id == enterprise_id)
    )


def paired_enterprises(cadre: User) -> list[Enterprise]:
    """The enterprises paired with ``cadre``, by name."""
    return list(
        db.session.scalars(
            select(Enterprise)
            .join(LiaisonPair, LiaisonPair.enterprise_id == Enterprise.id)
            .where(LiaisonPair.cadre_id == cadre.id)
            .order_by(Enterprise.name, Enterprise.id)
        )
    )


def _found_ticket(enterprise: Enterprise, tracking_no: str | None) -> Ticket | None:
    """The ticket ``tracking_no`` filed for ``enterprise`` (the problem the visit found); None if blank."""
    tracking_no = (tracking_no or "").strip().upper()
    if not tracking_no:
        return None
    ticket = db.session.scalar(
        select(Ticket).where(Ticket.tracking_no == tracking_no, Ticket.enterprise_id == enterprise.id)
    )
    if ticket is None:
        raise PledgeError(_l("No complaint of this enterprise has that tracking number."))
    return ticket


def log_visit(
    cadre: User,
    enterprise: Enterprise,
    *,
    visited_on: date,
    way: VisitWay,
    summary: str,
    tracking_no: str | None = None,
) -> VisitLog:
    """Record the cadre's visit to a paired enterprise; a problem found and filed links its ticket."""
    if cadre.role != Role.CADRE or paired_enterprise(cadre, enterprise.id) is None:
        raise NotPaired()
    if visited_on > now().date():
        raise PledgeError(_l("The visit date cannot be in the future."))
    summary = (summary or "").strip()
    if not summary:
        raise PledgeError(_l("Say what was discussed and found."))
    if len(summary) > SUMMARY_MAX:
        raise PledgeError(_l("The summary is too long."))
    visit = VisitLog(
        cadre_id=cadre.id,
        enterprise=enterprise,
        visited_on=visited_on,
        way=way,
        summary=summary,
        ticket=_found_ticket(enterprise, tracking_no),
    )
    db.session.add(visit)
    return visit


def visits_to(cadre: User, enterprise: Enterprise, limit: int = 50) -> list[VisitLog]:
    """The cadre's latest visits to ``enterprise``, newest first."""
    return list(
        db.session.scalars(
            select(VisitLog)
            .where(VisitLog.cadre_id == cadre.id, VisitLog.enterprise_id == enterprise.id)
            .options(selectinload(VisitLog.ticket))
            .order_by(VisitLog.visited_on.desc(), VisitLog.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- the enterprise's side


def cadres_of(enterprise_id: int) -> list[tuple[User, CadreCard | None]]:
    """The cadres paired with the enterprise, each with their card (published or not: the enterprise
    is served by them either way), by name."""
    rows = db.session.execute(
        select(User, CadreCard)
        .join(LiaisonPair, LiaisonPair.cadre_id == User.id)
        .outerjoin(CadreCard, CadreCard.cadre_id == User.id)
        .where(LiaisonPair.enterprise_id == enterprise_id, User.role == Role.CADRE, User.active)
        .order_by(User.name, User.id)
    ).all()
    return [(user, card) for user, card in rows]


def paired_cadre(enterprise_id: int, cadre_id: int) -> User | None:
    """The cadre ``cadre_id`` if paired with the enterprise; else None."""
    return db.session.scalar(
        select(User)
        .join(LiaisonPair, LiaisonPair.cadre_id == User.id)
        .where(LiaisonPair.enterprise_id == enterprise_id, User.id == cadre_id, User.role == Role.CADRE)
    )


def rating_for(enterprise_id: int, cadre_id: int, year: int) -> ServiceRating | None:
    return db.session.scalar(
        select(ServiceRating).where(
            ServiceRating.enterprise_id == enterprise_id,
            ServiceRating.cadre_id == cadre_id,
            ServiceRating.year == year,
        )
    )


def rate_service(user: User, cadre: User, *, score: int, comment: str = "", year: int | None = None) -> ServiceRating:
    """The enterprise of ``user`` rates ``cadre``'s service for ``year`` (this year by default): once a
    year, 1 (poor) to 5 (excellent). Only a verified account speaks for its company."""
    if user.role != Role.ENTERPRISE or user.enterprise_id is None:
        raise PledgeError(_l("Only an enterprise rates its cadre's service."))
    if not user.is_verified:
        raise PledgeError(_l("Only a verified account can rate: verify yours first."))
    if paired_cadre(user.enterprise_id, cadre.id) is None:
        raise NotPaired()
    if score not in SCORES:
        raise PledgeError(_l("Choose a score from 1 to 5."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise PledgeError(_l("The comment is too long."))
    year = year or now().year
    if rating_for(user.enterprise_id, cadre.id, year) is not None:
        raise AlreadyRated()
    rating = ServiceRating(
        cadre_id=cadre.id,
        enterprise_id=user.enterprise_id,
        year=year,
        score=score,
        comment=comment,
        rated_by_id=user.id,
    )
    try:
        with db.session.begin_nested():  # a second rating racing this one meets the unique constraint
            db.session.add(rating)
    except IntegrityError:
        raise AlreadyRated() from None
    return rating


def ratings_of(cadre: User, limit: int = 100) -> list[ServiceRating]:
    """The ratings of ``cadre``'s service, newest first (the cadre sees who rated: they serve them)."""
    return list(
        db.session.scalars(
            select(ServiceRating)
            .where(ServiceRating.cadre_id == cadre.id)
            .options(selectinload(ServiceRating.enterprise))
            .order_by(ServiceRating.year.desc(), ServiceRating.rated_at.desc(), ServiceRating.id.desc())
            .limit(limit)
        )
    )
