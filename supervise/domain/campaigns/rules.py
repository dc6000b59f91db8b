"""A campaign's setup, who may record for it, and its problems filed as tagged tickets."""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from supervise.domain import intake
from supervise.domain.clock import now as clock_now
from supervise.extensions import db
from supervise.models import (
    Campaign,
    CampaignAnswer,
    CampaignForum,
    CampaignState,
    CampaignVisit,
    Category,
    Enterprise,
    Role,
    Source,
    Ticket,
    Unit,
    User,
)
from supervise.models.campaign import SIZES, campaign_cadres, campaign_units

MAX_QUESTIONS = 10
MAX_PROBLEMS = 10
QUESTION_MAX = 200
ANSWER_MAX = 1000


class CampaignError(intake.IntakeError):
    """A campaign record that cannot be made as given; ``message`` says why, for the user."""


@dataclass
class Problem:
    """One problem raised: it becomes a ticket of ``category``."""

    category: Category
    title: str
    description: str


@dataclass
class Setup:
    """What a supervisor chooses for a campaign."""

    name: str
    year: int
    quarter: int
    theme: str = ""
    description: str = ""
    target_all: bool = True
    area_ids: list[int] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    cadres: list[User] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- setup


def _checked(setup: Setup) -> Setup:
    if not setup.name.strip():
        raise CampaignError(_l("A campaign needs a name."))
    if setup.quarter not in (1, 2, 3, 4) or not 2000 <= setup.year <= 2100:
        raise CampaignError(_l("Choose a year and a quarter (1 to 4)."))
    questions = [q.strip()[:QUESTION_MAX] for q in setup.questions if q.strip()]
    if len(questions) > MAX_QUESTIONS:
        raise CampaignError(_l("A questionnaire has at most %(n)d questions.", n=MAX_QUESTIONS))
    if any(s not in SIZES for s in setup.sizes):
        raise CampaignError(_l("Unknown enterprise size."))
    if any(u.role != Role.CADRE and not u.is_unit_staff for u in setup.cadres):
        raise CampaignError(_l("Visitors are cadres or unit staff."))
    if not setup.target_all and not (setup.area_ids or setup.industries or setup.sizes):
        raise CampaignError(_l("Choose the targets: every enterprise, or at least one area, industry or size."))
    setup.questions = questions
    return setup


def save_campaign(campaign: Campaign | None, setup: Setup, by: User) -> Campaign:
    """Create (``campaign`` None) or change a campaign from ``setup``; a closed one is not changed."""
    setup = _checked(setup)
    if campaign is None:
        campaign = Campaign(created_by_id=by.id, state=CampaignState.DRAFT)
        db.session.add(campaign)
    elif campaign.state == CampaignState.CLOSED:
        raise CampaignError(_l("This campaign is closed."))
    campaign.name = setup.name.strip()
    campaign.year, campaign.quarter = setup.year, setup.quarter
    campaign.theme = setup.theme.strip()
    campaign.description = setup.description.strip()
    campaign.target_all = setup.target_all
    campaign.target_area_ids = [] if setup.target_all else sorted(set(setup.area_ids))
    campaign.target_industries = [] if setup.target_all else sorted(set(setup.industries))
    campaign.target_sizes = [] if setup.target_all else sorted(set(setup.sizes))
    campaign.units = list(setup.units)
    campaign.cadres = list(setup.cadres)
    campaign.questions = setup.questions
    db.session.flush()
    return campaign


def open_campaign(campaign: Campaign, by: User, at: datetime | None = None) -> None:
    """Open a draft: visitors record visits, targeted enterprises see the questionnaire."""
    if campaign.state != CampaignState.DRAFT:
        raise CampaignError(_l("Only a draft campaign can be opened."))
    campaign.state, campaign.opened_at = CampaignState.OPEN, at or clock_now()


def close_campaign(campaign: Campaign, by: User, at: datetime | None = None) -> None:
    """Close an open campaign: nothing new is recorded; its tickets go on being handled."""
    if campaign.state != CampaignState.OPEN:
        raise CampaignError(_l("Only an open campaign can be closed."))
    campaign.state, campaign.closed_at = CampaignState.CLOSED, at or clock_now()


# ---------------------------------------------------------------- who


def target_clause(campaign: Campaign) -> ColumnElement[bool]:
    """A WHERE clause on enterprises: those ``campaign`` targets (every tag list given must match)."""
    if campaign.target_all:
        return true()
    clause = true()
    if campaign.target_area_ids:
        clause = clause & Enterprise.area_id.in_(campaign.target_area_ids)
    if campaign.target_industries:
        clause = clause & Enterprise.industry.in_(campaign.target_industries)
    if campaign.target_sizes:
        clause = clause & Enterprise.size.in_(campaign.target_sizes)
    return clause


def is_target(campaign: Campaign, enterprise_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Enterprise.id == enterprise_id, target_clause(campaign)))))


def may_visit(user: User, campaign: Campaign) -> bool:
    """The campaign's cadres, and the staff of its visiting units, record its visits while it is open."""
    if campaign.state != CampaignState.OPEN:
        return False
    if any(c.id == user.id for c in campaign.cadres):
        return True
    return user.is_unit_staff and user.unit_id is not None and any(u.id == user.unit_id for u in campaign.units)


def visitor_campaigns(user: User) -> list[Campaign]:
    """The open campaigns ``user`` visits for: as one of its cadres, or through their unit."""
    mine = select(campaign_cadres.c.campaign_id).where(campaign_cadres.c.user_id == user.id)
    clause = Campaign.id.in_(mine)
    if user.is_unit_staff and user.unit_id is not None:
        clause = clause | Campaign.id.in_(
            select(campaign_units.c.campaign_id).where(campaign_units.c.unit_id == user.unit_id)
        )
    query = select(Campaign).where(Campaign.state == CampaignState.OPEN, clause).order_by(Campaign.id.desc())
    return list(db.session.scalars(query))


def enterprise_campaigns(enterprise_id: int) -> list[Campaign]:
    """The open campaigns that target the enterprise (a handful at most: each is checked by one query)."""
    open_ones = db.session.scalars(select(Campaign).where(Campaign.state == CampaignState.OPEN).order_by(Campaign.id))
    return [c for c in open_ones if is_target(c, enterprise_id)]


def target_choices(campaign: Campaign, limit: int = 200) -> list[Enterprise]:
    """The campaign's targets to choose from in a form, by name (at most ``limit``)."""
    query = select(Enterprise).where(target_clause(campaign)).order_by(Enterprise.name, Enterprise.id)
    return list(db.session.scalars(query.limit(limit)))


def concrete_categories() -> list[Category]:
    """The categories a problem may be filed under: active and concrete, in display order."""
    query = (
        select(Category)
        .where(Category.parent_id.is_not(None), Category.active)
        .options(selectinload(Category.parent))
        .order_by(Category.parent_id, Category.sort, Category.id)
    )
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- recording


def _file(
    campaign: Campaign, enterprise: Enterprise, problem: Problem, source: Source, by: User, at: datetime
) -> Ticket:
    """One problem as a ticket, through the normal intake, routed by its category and tagged."""
    complaint = intake.Complaint(
        enterprise=enterprise,
        category=problem.category,
        title=problem.title,
        description=problem.description,
        area_id=enterprise.area_id,
        source=source,
    )
    ticket, _created = intake.file_complaint(complaint, by, at=at)
    ticket.campaign_id = campaign.id
    return ticket


def _file_all(campaign: Campaign, enterprise: Enterprise, problems: list[Problem], source: Source, by: User, at):
    if len(problems) > MAX_PROBLEMS:
        raise CampaignError(_l("At most %(n)d problems at a time.", n=MAX_PROBLEMS))
    return [_file(campaign, enterprise, p, source, by, at) for p in problems]


def record_visit(
    campaign: Campaign,
    visitor: User,
    enterprise: Enterprise,
    visited_on: date,
    people_met: str,
    problems: list[Problem],
    at: datetime | None = None,
) -> tuple[CampaignVisit, list[Ticket]]:
    """Record ``visitor``'s visit to a targeted ``enterprise``: no problems means "no problem"; each
    problem becomes a ticket (source 访企) tagged with the campaign. Does not commit."""
    at = at or clock_now()
    if not may_visit(visitor, campaign):
        raise CampaignError(_l("You do not visit for this campaign."))
    if not is_target(campaign, enterprise.id):
        raise CampaignError(_l("This enterprise is not among the campaign's targets."))
    if not people_met.strip():
        raise CampaignError(_l("Say whom you met."))
    if visited_on > at.date():
        raise CampaignError(_l("A visit cannot be in the future."))
    visit = CampaignVisit(
        campaign_id=campaign.id,
        visitor_id=visitor.id,
        unit_id=visitor.unit_id,
        enterprise_id=enterprise.id,
        visited_on=visited_on,
        people_met=people_met.strip()[:200],
        no_problem=not problems,
        problem_count=len(problems),
        created_at=at,
    )
    db.session.add(visit)
    tickets = _file_all(campaign, enterprise, problems, Source.VISIT, visitor, at)
    db.session.flush()
    return visit, tickets


def answer_questionnaire(
    campaign: Campaign, user: User, answers: dict[str, str], problems: list[Problem], at: datetime | None = None
) -> tuple[CampaignAnswer, list[Ticket]]:
    """The enterprise's answer to the questionnaire, once per campaign; the problems it writes become
    its own tickets (source 专项活动). Does not commit."""
    at = at or clock_now()
    enterprise = user.enterprise
    if user.role != Role.ENTERPRISE or enterprise is None:
        raise CampaignError(_l("Only an enterprise answers the questionnaire."))
    if campaign.state != CampaignState.OPEN or not is_target(campaign, enterprise.id):
        raise CampaignError(_l("This campaign does not ask your company."))
    given = {q: (answers.get(q) or "").strip()[:ANSWER_MAX] for q in campaign.questions or []}
    if not any(given.values()) and not problems:
        raise CampaignError(_l("Answer at least one question or describe a problem."))
    answer = CampaignAnswer(
        campaign_id=campaign.id,
        enterprise_id=enterprise.id,
        user_id=user.id,
        answers={q: a for q, a in given.items() if a},
        problem_count=len(problems),
        created_at=at,
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(answer)
        db.session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        raise CampaignError(_l("Your company has already answered this questionnaire.")) from None
    return answer, _file_all(campaign, enterprise, problems, Source.CAMPAIGN, user, at)


def record_forum(
    campaign: Campaign,
    staff: User,
    held_on: date,
    place: str,
    attendees: str,
    summary: str,
    problems: list[tuple[Enterprise, Problem]],
    at: datetime | None = None,
) -> tuple[CampaignForum, list[Ticket]]:
    """A forum (座谈会) typed in by a supervisor; each problem, raised by a targeted enterprise, becomes
    that enterprise's ticket (source 专项活动). Does not commit."""
    at = at or clock_now()
    if staff.role != Role.SUPERVISOR:
        raise CampaignError(_l("Forums are recorded by the office."))
    if campaign.state == CampaignState.DRAFT:
        raise CampaignError(_l("Open the campaign first."))
    if not place.strip():
        raise CampaignError(_l("Say where the forum was held."))
    if any(not is_target(campaign, e.id) for e, _p in problems):
        raise CampaignError(_l("This enterprise is not among the campaign's targets."))
    if len(problems) > MAX_PROBLEMS:
        raise CampaignError(_l("At most %(n)d problems at a time.", n=MAX_PROBLEMS))
    forum = CampaignForum(
        campaign_id=campaign.id,
        held_on=held_on,
        place=place.strip()[:120],
        attendees=attendees.strip(),
        summary=summary.strip(),
        problem_count=len(problems),
        recorded_by_id=staff.id,
        created_at=at,
    )
    db.session.add(forum)
    tickets = [_file(campaign, e, p, Source.CAMPAIGN, staff, at) for e, p in problems]
    db.session.flush()
    return forum, tickets
