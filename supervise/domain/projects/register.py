"""The register of key projects: who serves each one, who may see and report it, and its lists."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import selectinload

from supervise.domain.clock import now as clock_now
from supervise.domain.workflow import Invalid
from supervise.extensions import db
from supervise.models import Enterprise, Role, Unit, User
from supervise.models.project import STAGES, Milestone, MonthlyReport, Project, project_team

STAGE_LABELS = {
    "signed": _l("Signed"),
    "land": _l("Land supplied"),
    "started": _l("Construction started"),
    "building": _l("Under construction"),
    "completed": _l("Completed"),
    "producing": _l("In production"),
}
assert tuple(STAGE_LABELS) == STAGES


class ProjectError(Invalid):
    """A change to a project that cannot be made as given (a message for the user; nothing changed)."""


@dataclass
class ProjectSpec:
    """What a key project is registered with."""

    name: str
    enterprise: Enterprise
    investment: Decimal  # 亿元
    industry: str
    lead_unit: Unit
    chief_officer: User
    secretary: User
    team: list[User] = field(default_factory=list)
    stage: str = "signed"
    description: str = ""
    public: bool = False
    investment_public: bool = False


def register_project(spec: ProjectSpec, actor: User) -> Project:
    """Add a key project to the register (a supervisor's act). Does not commit."""
    if actor.role != Role.SUPERVISOR:
        raise ProjectError(_l("Only the supervision office registers key projects."))
    if not spec.name.strip():
        raise ProjectError(_l("A project needs a name."))
    if spec.stage not in STAGES:
        raise ProjectError(_l("Choose one of the stages."))
    if spec.chief_officer.role != Role.LEADER:
        raise ProjectError(_l("The chief service officer must be a leader."))
    if spec.investment is None or spec.investment < 0:
        raise ProjectError(_l("Give the investment in 100 million yuan, not negative."))
    project = Project(
        name=spec.name.strip(),
        enterprise=spec.enterprise,
        investment=spec.investment,
        investment_public=spec.investment_public,
        industry=spec.industry,
        stage=spec.stage,
        lead_unit=spec.lead_unit,
        chief_officer=spec.chief_officer,
        secretary=spec.secretary,
        team=list(spec.team),
        description=spec.description,
        public=spec.public,
        created_at=clock_now(),
    )
    db.session.add(project)
    db.session.flush()
    return project


def add_milestone(project: Project, name: str, planned_on: date, done_on: date | None = None) -> Milestone:
    """A step of the project's plan. Does not commit."""
    milestone = Milestone(name=name, planned_on=planned_on, done_on=done_on)
    project.milestones.append(milestone)
    db.session.flush()
    return milestone


def parse_milestones(text: str) -> list[tuple[str, date]]:
    """Milestones typed one per line as ``name, YYYY-MM-DD`` (a Chinese comma too)."""
    found = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _sep, day = line.replace("，", ",").rpartition(",")
        try:
            planned = date.fromisoformat(day.strip())
        except ValueError:
            planned = None
        if not name.strip() or planned is None:
            raise ProjectError(_l("Write each milestone as: name, planned date (YYYY-MM-DD)."))
        found.append((name.strip()[:200], planned))
    return found


def set_stage(project: Project, stage: str) -> None:
    """Move the project to ``stage`` (reported by its lead unit, or set by a supervisor)."""
    if stage not in STAGES:
        raise ProjectError(_l("Choose one of the stages."))
    project.stage = stage


# ---------------------------------------------------------------- who sees what


def serves(user: User, project: Project) -> bool:
    """Is ``user`` the project's chief service officer, secretary or on its service team?"""
    return user.id in (project.chief_officer_id, project.secretary_id) or any(u.id == user.id for u in project.team)


def reports_for(user: User, project: Project) -> bool:
    """May ``user`` fill in the project's monthly report (its lead unit's handlers and leaders)?"""
    return user.role in (Role.HANDLER, Role.LEADER) and user.unit_id == project.lead_unit_id


def can_view(user: User, project: Project) -> bool:
    """Supervisors see every project; a unit its own; a leader or handler the projects they serve."""
    return user.role == Role.SUPERVISOR or reports_for(user, project) or serves(user, project)


def mine_clause(user: User) -> ColumnElement[bool]:
    """The projects ``user`` serves (chief service officer, secretary or service team)."""
    on_team = exists().where(project_team.c.project_id == Project.id, project_team.c.user_id == user.id)
    return or_(Project.chief_officer_id == user.id, Project.secretary_id == user.id, on_team)


def late_clause(today: date) -> ColumnElement[bool]:
    """Projects with a monthly report past its due day and not submitted."""
    return exists().where(
        MonthlyReport.project_id == Project.id, MonthlyReport.submitted_at.is_(None), MonthlyReport.due_on < today
    )


@dataclass
class Filters:
    """The register's filters (empty: all)."""

    stage: str = ""
    unit_id: int | None = None
    industry: str = ""
    late: bool = False


def register_query(filters: Filters, today: date) -> Select:
    """The register, newest first, with what its rows show eager-loaded (keyset by id)."""
    query = select(Project).options(
        selectinload(Project.lead_unit), selectinload(Project.chief_officer), selectinload(Project.enterprise)
    )
    if filters.stage in STAGES:
        query = query.where(Project.stage == filters.stage)
    if filters.unit_id:
        query = query.where(Project.lead_unit_id == filters.unit_id)
    if filters.industry:
        query = query.where(Project.industry == filters.industry)
    if filters.late:
        query = query.where(late_clause(today))
    return query


def industries() -> list[str]:
    """The industries the register uses (for its filter)."""
    return list(db.session.scalars(select(Project.industry).distinct().order_by(Project.industry)))
