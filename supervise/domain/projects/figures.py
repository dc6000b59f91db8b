"""The figures of the key projects: per unit for a period (the quarterly settlement scores units from
them), and per project for a month (the register's columns and the monthly digest 项目进展月报)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from supervise.domain import deadlines
from supervise.extensions import db
from supervise.models.project import Blocker, Milestone, MonthlyReport, Project


@dataclass
class UnitFigures:
    """A lead unit's project figures for a period (each duty counted in the period it fell due)."""

    reports_due: int = 0  # monthly reports due in the period
    reports_on_time: int = 0  # … submitted by the end of their due day
    milestones_due: int = 0  # milestones planned in the period
    milestones_met: int = 0  # … reached by their planned day
    blockers_raised: int = 0  # blockers reported in the period
    blockers_cleared: int = 0  # … of them cleared (by now)


def project_figures(unit_ids: list[int], start: date, end: date) -> dict[int, UnitFigures]:
    """Per lead unit in ``unit_ids``: reports due between ``start`` and ``end`` (inclusive) and those on
    time, milestones planned then and those met, blockers raised then and those cleared."""
    found = {unit_id: UnitFigures() for unit_id in unit_ids}
    if not unit_ids:
        return found
    unit = Project.lead_unit_id
    reports = (
        select(unit, func.count(), func.sum(case((MonthlyReport.on_time.is_(True), 1), else_=0)))
        .join(Project, Project.id == MonthlyReport.project_id)
        .where(unit.in_(unit_ids), MonthlyReport.due_on.between(start, end))
        .group_by(unit)
    )
    for unit_id, due, on_time in db.session.execute(reports):
        found[unit_id].reports_due, found[unit_id].reports_on_time = due, int(on_time or 0)
    met = and_(Milestone.done_on.is_not(None), Milestone.done_on <= Milestone.planned_on)
    milestones = (
        select(unit, func.count(), func.sum(case((met, 1), else_=0)))
        .join(Project, Project.id == Milestone.project_id)
        .where(unit.in_(unit_ids), Milestone.planned_on.between(start, end))
        .group_by(unit)
    )
    for unit_id, due, done in db.session.execute(milestones):
        found[unit_id].milestones_due, found[unit_id].milestones_met = due, int(done or 0)
    blockers = (
        select(unit, func.count(), func.sum(case((Blocker.state == "cleared", 1), else_=0)))
        .join(Project, Project.id == Blocker.project_id)
        .where(unit.in_(unit_ids), Blocker.created_at.between(datetime.combine(start, time.min), deadlines.end_of(end)))
        .group_by(unit)
    )
    for unit_id, raised, cleared in db.session.execute(blockers):
        found[unit_id].blockers_raised, found[unit_id].blockers_cleared = raised, int(cleared or 0)
    return found


# ---------------------------------------------------------------- per project


@dataclass
class ProjectRow:
    """One project's line in the register and the digest."""

    project: Project
    report: MonthlyReport | None  # the month's report (None: no row yet)
    late_reports: int = 0  # reports past due and not submitted, or submitted late
    open_blockers: list[Blocker] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return self.project.percent

    @property
    def investment_done(self) -> Decimal:
        return self.project.investment_done


def late_counts(project_ids: list[int], today: date) -> dict[int, int]:
    """Per project: its reports past due and unsubmitted, or submitted late (one grouped query)."""
    if not project_ids:
        return {}
    missing = and_(MonthlyReport.submitted_at.is_(None), MonthlyReport.due_on < today)
    late = or_(missing, MonthlyReport.on_time.is_(False))
    query = (
        select(MonthlyReport.project_id, func.count())
        .where(MonthlyReport.project_id.in_(project_ids), late)
        .group_by(MonthlyReport.project_id)
    )
    return dict(db.session.execute(query).all())


def rows_for(projects: list[Project], month: str, today: date) -> list[ProjectRow]:
    """The register's / digest's rows for ``projects``: a bounded number of queries, whatever their count."""
    ids = [p.id for p in projects]
    reports = {
        r.project_id: r
        for r in db.session.scalars(
            select(MonthlyReport).where(MonthlyReport.project_id.in_(ids), MonthlyReport.month == month)
        )
    }
    late = late_counts(ids, today)
    blockers: dict[int, list[Blocker]] = {}
    open_query = (
        select(Blocker)
        .where(Blocker.project_id.in_(ids), Blocker.state == "open")
        .options(selectinload(Blocker.ticket))
        .order_by(Blocker.id)
    )
    for blocker in db.session.scalars(open_query):
        blockers.setdefault(blocker.project_id, []).append(blocker)
    return [ProjectRow(p, reports.get(p.id), late.get(p.id, 0), blockers.get(p.id, [])) for p in projects]


def digest_projects() -> list[Project]:
    """Every project in the register, in the order of the digest (by lead unit, then id)."""
    query = select(Project).options(selectinload(Project.lead_unit)).order_by(Project.lead_unit_id, Project.id)
    return list(db.session.scalars(query))


def digest_rows(month: str, at: datetime) -> list[ProjectRow]:
    """The monthly digest's rows for ``month``."""
    return rows_for(digest_projects(), month, at.date())
