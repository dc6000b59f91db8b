"""The indicator-chief system (指标长): the evaluation's indicators, each with its lead unit and chief,
a responsibility list per year of major and minor tasks under them, and the tasks' monthly progress
reports with their evidence files."""

import enum
from datetime import date, datetime

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Unit
from supervise.models.user import User


class Indicator(db.Model):
    """One indicator of the business-environment evaluation (开办企业, 获得电力 …), kept by administrators."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    chief_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # 指标长, a leader
    last_score: Mapped[float | None] = mapped_column(Float)  # the last evaluation's score
    target_score: Mapped[float | None] = mapped_column(Float)
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    lead_unit: Mapped[Unit | None] = relationship()
    chief: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return self.name


class ResponsibilityList(db.Model):
    """A year's responsibility list (责任清单)."""

    __tablename__ = "responsibility_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    tasks: Mapped[list["Task"]] = relationship(back_populates="responsibility_list", order_by="Task.number")


class TaskLevel(str, enum.Enum):
    MAJOR = "major"  # 大项
    MINOR = "minor"  # 小项, under a major task


class TaskState(str, enum.Enum):
    OPEN = "open"
    DONE = "done"


task_co_units = Table(
    "task_co_units",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True, index=True),
)


def _enum(kind: type[enum.Enum]):
    return db.Enum(kind, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])


class Task(db.Model):
    """A task of a responsibility list: a major task, or a minor one under a major."""

    __tablename__ = "tasks"
    __table_args__ = (
        # a unit's tasks by list, and the board's per-indicator counts
        Index("ix_tasks_responsible_unit", "responsible_unit_id", "list_id"),
        Index("ix_tasks_list_indicator", "list_id", "indicator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("responsibility_lists.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    level: Mapped[TaskLevel] = mapped_column(_enum(TaskLevel))
    number: Mapped[int] = mapped_column(default=0)  # its place in the list
    title: Mapped[str] = mapped_column(String(200))
    responsible_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    deadline: Mapped[date]
    expected_result: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[TaskState] = mapped_column(_enum(TaskState), default=TaskState.OPEN)
    progress: Mapped[int] = mapped_column(default=0)  # the last report's percent
    last_report_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)

    responsibility_list: Mapped[ResponsibilityList] = relationship(back_populates="tasks")
    indicator: Mapped[Indicator] = relationship()
    parent: Mapped["Task | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Task"]] = relationship(back_populates="parent", order_by="Task.number")
    responsible_unit: Mapped[Unit] = relationship()
    co_units: Mapped[list[Unit]] = relationship(secondary=task_co_units, order_by=Unit.sort)
    reports: Mapped[list["TaskReport"]] = relationship(back_populates="task", order_by="TaskReport.submitted_at.desc()")

    @property
    def is_done(self) -> bool:
        return self.state == TaskState.DONE


class TaskReport(db.Model):
    """A monthly progress report on a task, with its evidence files."""

    __tablename__ = "task_reports"
    __table_args__ = (Index("ix_task_reports_task_month", "task_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    month: Mapped[str] = mapped_column(String(7))  # "2026-05": the month whose report this is
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=now)
    late: Mapped[bool] = mapped_column(default=False)  # filed after the month's due date

    task: Mapped[Task] = relationship(back_populates="reports")
    submitted_by: Mapped[User | None] = relationship()
    files: Mapped[list["TaskReportFile"]] = relationship(back_populates="report", order_by="TaskReportFile.id")


class TaskReportFile(db.Model):
    """An evidence file of a task report, kept in the attachment store."""

    __tablename__ = "task_report_files"
    __table_args__ = (UniqueConstraint("stored_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("task_reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=now)

    report: Mapped[TaskReport] = relationship(back_populates="files")
