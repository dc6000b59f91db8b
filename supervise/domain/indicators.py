"""The responsibility list (指标长): who sees and who reports on a task, the monthly progress report
that resolves its warnings, and a task done.

A task is seen by the office (supervisors), by the chief of its indicator, and by its responsible and
co-operating units; only the responsible unit's staff report on it. A report is the month's report
of the month it is filed in (due by the 5th, :func:`supervise.domain.duties.monthly_report_due`);
a report at 100% finishes the task, and a major task is done when all its minor tasks are.
"""

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from supervise import storage
from supervise.domain import duties
from supervise.domain.calendar import WorkingCalendar
from supervise.extensions import db
from supervise.models import (
    DutyAlert,
    Indicator,
    ResponsibilityList,
    Role,
    Task,
    TaskLevel,
    TaskReport,
    TaskReportFile,
    TaskState,
    User,
    task_co_units,
)

#: The subjects of the duty warnings: a month's report of a task, and a task's own deadline.
REPORT_SUBJECT = "task_report"
DEADLINE_SUBJECT = "task"
STAFF = (Role.HANDLER, Role.LEADER)


class ReportRefused(ValueError):
    """A report that cannot be taken; ``message`` says why, in the reader's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def month_key(day: date | datetime) -> str:
    """``2026-05`` for any day of May 2026."""
    return f"{day.year:04d}-{day.month:02d}"


def report_due(cal: WorkingCalendar, month: str) -> date:
    """The day the report of ``month`` ("2026-05") is due: the 5th, or the next working day."""
    year, number = (int(part) for part in month.split("-"))
    return duties.monthly_report_due(cal, year, number)


def owes_reports(task: Task) -> bool:
    """Minor tasks report; a major task reports only when it has no minor tasks (else they speak for it)."""
    return task.level == TaskLevel.MINOR or not task.children


def may_see(user: User | None, task: Task) -> bool:
    """The office, the indicator's chief, and the responsible and co-operating units' staff."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.SUPERVISOR:
        return True
    if user.role not in STAFF:
        return False
    if task.indicator.chief_id == user.id:
        return True
    return user.unit_id is not None and (
        user.unit_id == task.responsible_unit_id or user.unit_id in {u.id for u in task.co_units}
    )


def may_report(user: User | None, task: Task) -> bool:
    """The responsible unit's handlers and leaders, while the task is open and owes reports."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.role in STAFF
        and user.unit_id == task.responsible_unit_id
        and task.state == TaskState.OPEN
        and owes_reports(task)
    )


def visible_tasks_clause(user: User):
    """The WHERE clause of the tasks ``user`` sees (for lists): mirrors :func:`may_see`."""
    if user.role == Role.SUPERVISOR:
        return Task.id.is_not(None)
    chiefed = select(Indicator.id).where(Indicator.chief_id == user.id)
    co = select(task_co_units.c.task_id).where(task_co_units.c.unit_id == (user.unit_id or -1))
    return or_(Task.responsible_unit_id == (user.unit_id or -1), Task.id.in_(co), Task.indicator_id.in_(chiefed))


def list_for(year: int) -> ResponsibilityList:
    """The year's list, made when it does not exist yet (added, not committed)."""
    found = db.session.scalar(select(ResponsibilityList).where(ResponsibilityList.year == year))
    if found is None:
        found = ResponsibilityList(year=year)
        db.session.add(found)
        db.session.flush()
    return found


def submit_report(
    task: Task,
    by: User,
    text: str,
    percent: int,
    uploads: list[storage.CheckedUpload],
    at: datetime,
    cal: WorkingCalendar,
) -> TaskReport:
    """Take ``by``'s report on ``task`` at ``at`` with its checked evidence files: this month's report
    (late when filed after the 5th's due date); it resolves the month's warnings, and at 100% the task
    is done (and its deadline's warnings resolved). Raises :class:`ReportRefused`."""
    if not may_report(by, task):
        raise ReportRefused(_("Only the responsible unit reports on an open task."))
    text = (text or "").strip()
    if not text:
        raise ReportRefused(_("Describe the progress made."))
    if not 0 <= percent <= 100:
        raise ReportRefused(_("Progress is a percentage from 0 to 100."))
    if percent < task.progress:
        raise ReportRefused(_("Progress cannot go back below the last report's %(n)d%%.", n=task.progress))
    month = month_key(at)
    due = report_due(cal, month)
    report = TaskReport(
        task=task, month=month, text=text, percent=percent, submitted_by_id=by.id, submitted_at=at, late=at.date() > due
    )
    db.session.add(report)
    for upload in uploads:
        report.files.append(
            TaskReportFile(
                filename=upload.filename,
                stored_name=storage.write(upload),
                content_type=upload.content_type,
                size=upload.size,
                created_at=at,
            )
        )
    task.progress, task.last_report_at = percent, at
    _catch_up(task, due, at)
    if percent == 100:
        finish(task, at)
    db.session.flush()
    return report


def _catch_up(task: Task, due: date, at: datetime) -> None:
    """A report resolves the warnings of this month's report and of any month missed before it: the
    unit has caught up (the missed months stay on record, their warnings resolved)."""
    missed = db.session.scalars(
        select(DutyAlert.due_key).where(
            DutyAlert.subject == REPORT_SUBJECT,
            DutyAlert.subject_id == task.id,
            DutyAlert.resolved_at.is_(None),
            DutyAlert.due_key <= due.isoformat(),
        )
    )
    for due_key in sorted(set(missed)):
        duties.resolve(REPORT_SUBJECT, task.id, due_key, at)


def finish(task: Task, at: datetime) -> None:
    """The task is done: its deadline's warnings resolved; its major task is done with its last minor."""
    task.state, task.done_at, task.progress = TaskState.DONE, at, 100
    duties.resolve(DEADLINE_SUBJECT, task.id, task.deadline.isoformat(), at)
    parent = task.parent
    if parent is not None and parent.state == TaskState.OPEN and all(c.is_done for c in parent.children):
        finish(parent, at)


def major_progress(task: Task) -> int:
    """A major task's progress: the mean of its minor tasks' (its own when it has none)."""
    if not task.children:
        return task.progress
    return round(sum(c.progress for c in task.children) / len(task.children))


def may_download(user: User | None, file: TaskReportFile) -> bool:
    """Evidence files go to whoever sees the task: the office, the chief, the responsible and
    co-operating units."""
    return may_see(user, file.report.task)


def warnings_of(task: Task) -> list[DutyAlert]:
    """The warnings raised on ``task``'s reports and deadline, newest first (resolved ones included)."""
    return list(
        db.session.scalars(
            select(DutyAlert)
            .where(DutyAlert.subject.in_((REPORT_SUBJECT, DEADLINE_SUBJECT)), DutyAlert.subject_id == task.id)
            .order_by(DutyAlert.raised_at.desc(), DutyAlert.id.desc())
        )
    )
