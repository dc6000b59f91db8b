"""The monthly report (月报) of each key project: due on the 5th (a working day by the calendar),
filled in by the lead unit with progress, percentage, investment completed and blockers; late
reports and late milestones warned once per level and deadline, escalating, and resolved when done."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from supervise.domain import deadlines, duties
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.domain.clock import now as clock_now
from supervise.domain.projects.register import ProjectError, reports_for, set_stage
from supervise.extensions import db
from supervise.models import DutyAlert, User
from supervise.models.project import BLOCKER_KINDS, Blocker, Milestone, MonthlyReport, Project

REPORT_SUBJECT, MILESTONE_SUBJECT = "project_report", "milestone"
BLOCKER_LABELS = {"jam": _l("Jam (堵点)"), "stuck": _l("Sticking point (卡点)"), "hard": _l("Hard problem (难点)")}


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def report_due(cal: WorkingCalendar, month: str) -> date:
    """The day the report for ``month`` ('YYYY-MM') is due: the 5th, moved to the next working day."""
    year, mon = (int(part) for part in month.split("-"))
    return duties.monthly_report_due(cal, year, mon)


def report_for(project: Project, month: str, cal: WorkingCalendar | None = None) -> MonthlyReport:
    """The project's report row for ``month``, made (unsubmitted, with its due day) when missing."""
    report = db.session.scalar(
        select(MonthlyReport).where(MonthlyReport.project_id == project.id, MonthlyReport.month == month)
    )
    if report is None:
        report = MonthlyReport(project=project, month=month, due_on=report_due(cal or load_calendar(), month))
        db.session.add(report)
        db.session.flush()
    return report


def open_month(at: datetime, cal: WorkingCalendar | None = None) -> int:
    """Every project's report row for the month of ``at`` (the job makes them on the 1st); the count made."""
    month = month_of(at.date())
    have = set(db.session.scalars(select(MonthlyReport.project_id).where(MonthlyReport.month == month)))
    cal = cal or load_calendar()
    due = report_due(cal, month)
    made = 0
    for project_id in db.session.scalars(select(Project.id).order_by(Project.id)):
        if project_id not in have:
            db.session.add(MonthlyReport(project_id=project_id, month=month, due_on=due))
            made += 1
    db.session.flush()
    return made


@dataclass
class ReportInput:
    """What the lead unit reports for a month."""

    progress: str
    percent: int
    investment_done: Decimal
    stage: str | None = None
    blockers: list[tuple[str, str]] | None = None  # (kind, text)


def submit_report(report: MonthlyReport, data: ReportInput, actor: User, at: datetime | None = None) -> MonthlyReport:
    """The lead unit reports ``report``'s month: its figures are kept on the project, its blockers
    recorded, and the warnings raised on it resolved. Does not commit."""
    project = report.project
    if not reports_for(actor, project):
        raise ProjectError(_l("Only the project's lead unit reports its progress."))
    if report.submitted_at is not None:
        raise ProjectError(_l("This month's report has been submitted already."))
    if not data.progress.strip():
        raise ProjectError(_l("Describe the progress made this month."))
    if not 0 <= data.percent <= 100:
        raise ProjectError(_l("The percentage is between 0 and 100."))
    if data.investment_done is None or data.investment_done < 0:
        raise ProjectError(_l("Give the investment completed in 100 million yuan, not negative."))
    blockers = [(kind, text.strip()) for kind, text in data.blockers or [] if text and text.strip()]
    if any(kind not in BLOCKER_KINDS for kind, _text in blockers):
        raise ProjectError(_l("Choose the kind of each blocker."))
    if data.stage:
        set_stage(project, data.stage)
    at = at or clock_now()
    report.progress, report.percent, report.investment_done = data.progress.strip(), data.percent, data.investment_done
    report.submitted_at, report.submitted_by, report.on_time = at, actor, at <= deadlines.end_of(report.due_on)
    for kind, text in blockers:
        db.session.add(Blocker(report=report, project_id=project.id, kind=kind, text=text, created_at=at))
    if project.reported_month is None or report.month >= project.reported_month:
        project.percent, project.investment_done, project.reported_month = (
            data.percent,
            data.investment_done,
            report.month,
        )
    duties.resolve(REPORT_SUBJECT, report.id, report.due_on.isoformat(), at)
    db.session.flush()
    return report


def complete_milestone(milestone: Milestone, done_on: date, actor: User, at: datetime | None = None) -> None:
    """The milestone was reached on ``done_on``; its warnings are resolved. Does not commit."""
    if not reports_for(actor, milestone.project) and actor.role.value != "supervisor":
        raise ProjectError(_l("Only the project's lead unit reports its progress."))
    milestone.done_on = done_on
    duties.resolve(MILESTONE_SUBJECT, milestone.id, milestone.planned_on.isoformat(), at or clock_now())


# ---------------------------------------------------------------- the warnings


def _audience(project: Project) -> list[User]:
    return [u for u in (project.chief_officer, project.secretary) if u is not None and u.active]


def _not_red(subject: str, column):
    """Duties whose red warning is not raised yet (after red nothing more is raised: skip them)."""
    red = exists().where(DutyAlert.subject == subject, DutyAlert.subject_id == column, DutyAlert.kind == "red")
    return ~red


def late_report_warnings(at: datetime, cal: WorkingCalendar | None = None) -> int:
    """Warn about every unsubmitted report past its due day (once per level and due day); the count raised."""
    cal = cal or load_calendar()
    query = (
        select(MonthlyReport)
        .where(
            MonthlyReport.submitted_at.is_(None),
            MonthlyReport.due_on < at.date(),
            _not_red(REPORT_SUBJECT, MonthlyReport.id),
        )
        .options(selectinload(MonthlyReport.project).selectinload(Project.chief_officer))
        .order_by(MonthlyReport.id)
    )
    raised = 0
    for report in db.session.scalars(query):
        project = report.project

        def compose(project=project, report=report) -> tuple[str, str]:
            subject = _("Monthly report late: %(name)s", name=project.name)
            body = _(
                "The %(month)s progress report on %(name)s was due on %(due)s and has not been submitted.",
                month=report.month,
                name=project.name,
                due=report.due_on.isoformat(),
            )
            return subject, body

        link = f"/unit/projects/{project.id}/report"
        level = duties.warn(
            REPORT_SUBJECT, report.id, report.due_on, at, cal, compose, link, project.lead_unit_id, _audience(project)
        )
        raised += level is not None
    return raised


def late_milestone_warnings(at: datetime, cal: WorkingCalendar | None = None) -> int:
    """Warn about every milestone not reached by its planned day (once per level); the count raised."""
    cal = cal or load_calendar()
    query = (
        select(Milestone)
        .where(Milestone.done_on.is_(None), Milestone.planned_on < at.date(), _not_red(MILESTONE_SUBJECT, Milestone.id))
        .options(selectinload(Milestone.project))
        .order_by(Milestone.id)
    )
    raised = 0
    for milestone in db.session.scalars(query):
        project = milestone.project

        def compose(project=project, milestone=milestone) -> tuple[str, str]:
            subject = _("Milestone late: %(name)s", name=project.name)
            body = _(
                "“%(milestone)s” of %(name)s was planned for %(due)s and has not been reached.",
                milestone=milestone.name,
                name=project.name,
                due=milestone.planned_on.isoformat(),
            )
            return subject, body

        link = f"/unit/projects/{project.id}"
        level = duties.warn(
            MILESTONE_SUBJECT,
            milestone.id,
            milestone.planned_on,
            at,
            cal,
            compose,
            link,
            project.lead_unit_id,
            _audience(project),
        )
        raised += level is not None
    return raised


def run_duties(at: datetime) -> str:
    """The periodic job's work: this month's report rows, then the warnings."""
    cal = load_calendar()
    made = open_month(at, cal)
    return (
        f"reports opened {made}, report warnings {late_report_warnings(at, cal)}, "
        f"milestone warnings {late_milestone_warnings(at, cal)}"
    )
