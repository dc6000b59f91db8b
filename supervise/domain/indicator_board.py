"""The office's board of the indicators: per indicator, a year's tasks, done, overdue, the mean
progress of the tasks that report, and the red items (tasks with an open red warning), counted by a
few grouped queries, never task by task."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from supervise.domain.indicators import DEADLINE_SUBJECT, REPORT_SUBJECT
from supervise.extensions import db
from supervise.models import DutyAlert, Indicator, ResponsibilityList, Task, TaskLevel, TaskState

RED_ITEMS_SHOWN = 50


@dataclass
class IndicatorRow:
    indicator: Indicator
    tasks: int = 0
    done: int = 0
    overdue: int = 0
    progress: int = 0  # mean percent of its reporting tasks
    red: int = 0


@dataclass
class Board:
    year: int
    rows: list[IndicatorRow]
    red_items: list[Task] = field(default_factory=list)

    @property
    def totals(self) -> IndicatorRow:
        total = IndicatorRow(indicator=None)  # type: ignore[arg-type]
        for row in self.rows:
            total.tasks += row.tasks
            total.done += row.done
            total.overdue += row.overdue
            total.red += row.red
        reporting = [r for r in self.rows if r.tasks]
        total.progress = round(sum(r.progress for r in reporting) / len(reporting)) if reporting else 0
        return total


def reporting_clause():
    """Tasks that report: minor tasks, and major tasks without minor ones."""
    child = aliased(Task)
    return (Task.level == TaskLevel.MINOR) | ~exists().where(child.parent_id == Task.id)


def red_clause():
    """Tasks with an open red warning on their report or their deadline."""
    return exists().where(
        DutyAlert.subject.in_((REPORT_SUBJECT, DEADLINE_SUBJECT)),
        DutyAlert.subject_id == Task.id,
        DutyAlert.kind == "red",
        DutyAlert.resolved_at.is_(None),
    )


def board(year: int, today: date) -> Board:
    """The board of ``year``'s list as of ``today`` (every active indicator, with or without tasks)."""
    indicators = list(
        db.session.scalars(
            select(Indicator)
            .where(Indicator.active.is_(True))
            .options(selectinload(Indicator.chief), selectinload(Indicator.lead_unit))
            .order_by(Indicator.sort, Indicator.id)
        )
    )
    rows = {i.id: IndicatorRow(indicator=i) for i in indicators}
    in_year = Task.list_id == select(ResponsibilityList.id).where(ResponsibilityList.year == year).scalar_subquery()
    overdue = and_(Task.state == TaskState.OPEN, Task.deadline < today)
    counted = db.session.execute(
        select(
            Task.indicator_id,
            func.count(),
            func.sum(case((Task.state == TaskState.DONE, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((red_clause(), 1), else_=0)),
        )
        .where(in_year)
        .group_by(Task.indicator_id)
    )
    for indicator_id, tasks, done, late, red in counted:
        if indicator_id in rows:
            row = rows[indicator_id]
            row.tasks, row.done, row.overdue, row.red = tasks, done or 0, late or 0, red or 0
    progress = db.session.execute(
        select(Task.indicator_id, func.avg(Task.progress))
        .where(in_year, reporting_clause())
        .group_by(Task.indicator_id)
    )
    for indicator_id, mean in progress:
        if indicator_id in rows:
            rows[indicator_id].progress = round(float(mean or 0))
    red_items = list(
        db.session.scalars(
            select(Task)
            .where(in_year, red_clause())
            .options(selectinload(Task.indicator), selectinload(Task.responsible_unit))
            .order_by(Task.deadline, Task.id)
            .limit(RED_ITEMS_SHOWN)
        )
    )
    return Board(year=year, rows=list(rows.values()), red_items=red_items)
