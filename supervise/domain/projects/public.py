"""The public list of key projects: only those the zone marks public, with their stage and milestones;
the investment only where marked public; nothing of the enterprise (the project's name is public by
the zone's choice, its description masked)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise.domain.redaction import redact
from supervise.extensions import db
from supervise.models.project import Project


@dataclass(frozen=True)
class PublicMilestone:
    name: str
    planned_on: date
    done_on: date | None


@dataclass(frozen=True)
class PublicProject:
    """What the public sees of a key project: plain values, never the row."""

    id: int
    name: str
    industry: str
    stage: str
    investment: Decimal | None  # None unless the zone marks it public
    percent: int
    description: str
    milestones: tuple[PublicMilestone, ...]


def _public(project: Project) -> PublicProject:
    return PublicProject(
        id=project.id,
        name=project.name,
        industry=project.industry,
        stage=project.stage,
        investment=project.investment if project.investment_public else None,
        percent=project.percent,
        description=redact(project.description, project.enterprise.redaction_terms()),
        milestones=tuple(PublicMilestone(m.name, m.planned_on, m.done_on) for m in project.milestones),
    )


def public_projects(after_id: int | None, per_page: int) -> tuple[list[PublicProject], int | None]:
    """A page of the public projects, newest first (index on public, id), and the cursor of the next."""
    query = (
        select(Project)
        .where(Project.public.is_(True))
        .options(selectinload(Project.milestones), selectinload(Project.enterprise))
        .order_by(Project.id.desc())
        .limit(per_page + 1)
    )
    if after_id is not None:
        query = query.where(Project.id < after_id)
    rows = list(db.session.scalars(query))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return [_public(p) for p in rows], (rows[-1].id if more else None)
