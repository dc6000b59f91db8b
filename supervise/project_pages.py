"""A key project as the staff portals load it: authorized in the same step (404 when the user may not
see it, 403 when they may see but not report it), and its report history for the project page."""

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise.domain.projects import register
from supervise.extensions import db
from supervise.models.project import Blocker, MonthlyReport, Project


def load_project(project_id: int, *, report: bool = False) -> Project:
    """The project if the current user may see it (404 otherwise), and, with ``report``, fill in its
    monthly report (403 when they only serve it)."""
    project = db.session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(selectinload(Project.team), selectinload(Project.milestones), selectinload(Project.lead_unit))
    )
    if project is None or not register.can_view(current_user, project):
        abort(404, description=_("No such project."))
    if report and not register.reports_for(current_user, project):
        abort(403, description=_("Only the project's lead unit reports its progress."))
    return project


def history(project: Project) -> list[MonthlyReport]:
    """The project's reports, newest month first, with their blockers and tickets (bounded: 24 months)."""
    query = (
        select(MonthlyReport)
        .where(MonthlyReport.project_id == project.id)
        .options(
            selectinload(MonthlyReport.blockers).selectinload(Blocker.ticket), selectinload(MonthlyReport.submitted_by)
        )
        .order_by(MonthlyReport.month.desc())
        .limit(24)
    )
    return list(db.session.scalars(query))
