"""The responsibility list's duties, warned through :mod:`supervise.domain.duties`: each open task's
monthly report (due on the 5th, from the month after the task was listed) and each open task's
deadline. Every warning is raised once per level and deadline, told to the responsible unit and the
indicator's chief, and to the supervisors at red; a report (or the task done) resolves them."""

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise.domain import duties
from supervise.domain.calendar import WorkingCalendar
from supervise.domain.indicators import DEADLINE_SUBJECT, REPORT_SUBJECT, month_key, owes_reports, report_due
from supervise.extensions import db
from supervise.models import Indicator, Task, TaskReport, TaskState


def _link(task: Task) -> str:
    """The task's page (the office's readers open it too)."""
    return f"/unit/indicators/tasks/{task.id}"


def report_owed(task: Task, month: str) -> bool:
    """Does ``task`` owe a report in ``month``? From the month after it was listed, while it is open."""
    return task.state == TaskState.OPEN and owes_reports(task) and month_key(task.created_at) < month


def warn_task(task: Task, at: datetime, cal: WorkingCalendar, reported: bool) -> list[str]:
    """The warnings ``task`` earned by ``at``: this month's report missing (``reported`` says whether it
    came), and its deadline passed."""
    raised = []
    chief = [task.indicator.chief] if task.indicator.chief is not None and task.indicator.chief.active else []
    month = month_key(at)
    if report_owed(task, month) and not reported:
        due = report_due(cal, month)

        def compose_report() -> tuple[str, str]:
            return (
                _("Monthly report missing: %(title)s", title=task.title),
                _(
                    "The progress report of %(month)s on the task “%(title)s” (%(indicator)s) was due on %(due)s.",
                    month=month,
                    title=task.title,
                    indicator=task.indicator.name,
                    due=due.isoformat(),
                ),
            )

        level = duties.warn(
            REPORT_SUBJECT, task.id, due, at, cal, compose_report, _link(task), task.responsible_unit_id, chief
        )
        raised += [f"report:{level}"] if level else []
    if task.state == TaskState.OPEN:

        def compose_deadline() -> tuple[str, str]:
            return (
                _("Task overdue: %(title)s", title=task.title),
                _(
                    "The task “%(title)s” (%(indicator)s) was due on %(due)s and is not done.",
                    title=task.title,
                    indicator=task.indicator.name,
                    due=task.deadline.isoformat(),
                ),
            )

        level = duties.warn(
            DEADLINE_SUBJECT,
            task.id,
            task.deadline,
            at,
            cal,
            compose_deadline,
            _link(task),
            task.responsible_unit_id,
            chief,
        )
        raised += [f"deadline:{level}"] if level else []
    return raised


def task_warnings(at: datetime, cal: WorkingCalendar) -> int:
    """Warn every open task of the lists that is late by ``at``; the number of warnings raised."""
    month = month_key(at)
    tasks = db.session.scalars(
        select(Task)
        .where(Task.state == TaskState.OPEN)
        .options(
            selectinload(Task.indicator).selectinload(Indicator.chief),
            selectinload(Task.children),
        )
        .order_by(Task.id)
    )
    reported = set(db.session.scalars(select(TaskReport.task_id).where(TaskReport.month == month)))
    return sum(len(warn_task(task, at, cal, task.id in reported)) for task in tasks)


def late_since(task: Task, today: date) -> bool:
    """Is the open task past its deadline on ``today``?"""
    return task.state == TaskState.OPEN and task.deadline < today
