"""Key projects (重点项目): one project, one leader (首席服务官), one secretary, one service team, one
plan of milestones; the lead unit reports progress every month, and the blockers it reports become
tickets or supervision orders."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Enterprise, Unit
from supervise.models.user import User

#: The stages of a project, in order (签约、供地、开工、在建、竣工、投产).
STAGES = ("signed", "land", "started", "building", "completed", "producing")
#: The kinds of blocker (堵点、卡点、难点).
BLOCKER_KINDS = ("jam", "stuck", "hard")

project_team = Table(
    "project_team",
    db.Model.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class Project(db.Model):
    """A key project in the zone's register."""

    __tablename__ = "projects"
    __table_args__ = (
        # the lead unit's list, "my projects" and the register's filters, newest first (keyset by id)
        Index("ix_projects_lead_unit_id_id", "lead_unit_id", "id"),
        Index("ix_projects_chief_officer_id_id", "chief_officer_id", "id"),
        Index("ix_projects_secretary_id_id", "secretary_id", "id"),
        Index("ix_projects_stage_id", "stage", "id"),
        Index("ix_projects_industry_id", "industry", "id"),
        Index("ix_projects_public_id", "public", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    investment: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 亿元
    investment_public: Mapped[bool] = mapped_column(default=False)
    industry: Mapped[str] = mapped_column(String(60), default="")
    stage: Mapped[str] = mapped_column(String(12), default="signed")
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    chief_officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # 首席服务官, a leader
    secretary_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # 项目秘书
    description: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(default=False)  # shown on the public projects page
    created_at: Mapped[datetime] = mapped_column(default=now)
    # the last monthly report's figures, kept for the lists
    percent: Mapped[int] = mapped_column(default=0)
    investment_done: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    reported_month: Mapped[str | None] = mapped_column(String(7))

    enterprise: Mapped[Enterprise] = relationship()
    lead_unit: Mapped[Unit] = relationship()
    chief_officer: Mapped[User] = relationship(foreign_keys=[chief_officer_id])
    secretary: Mapped[User] = relationship(foreign_keys=[secretary_id])
    team: Mapped[list[User]] = relationship(secondary=project_team, order_by=User.id)
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="project", order_by="Milestone.planned_on, Milestone.id", cascade="all, delete-orphan"
    )


class Milestone(db.Model):
    """A step of the project's plan, with its planned and actual dates."""

    __tablename__ = "milestones"
    __table_args__ = (
        Index("ix_milestones_project_id_planned_on", "project_id", "planned_on"),
        # the job's late milestones: not done, planned before today
        Index("ix_milestones_done_on_planned_on", "done_on", "planned_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    planned_on: Mapped[date]
    done_on: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones")


class MonthlyReport(db.Model):
    """The lead unit's report on a project for a month ('YYYY-MM'), due on the 5th (a working day);
    the row exists from the month's start, unsubmitted until the unit reports."""

    __tablename__ = "monthly_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "month"),
        # the job's late reports and the register's "late report" filter: unsubmitted, due before today
        Index("ix_monthly_reports_submitted_at_due_on", "submitted_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    due_on: Mapped[date]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_time: Mapped[bool | None]  # set when submitted
    progress: Mapped[str] = mapped_column(Text, default="")
    percent: Mapped[int] = mapped_column(default=0)
    investment_done: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))  # 亿元, to date

    project: Mapped[Project] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    blockers: Mapped[list["Blocker"]] = relationship(back_populates="report", order_by="Blocker.id")


class Blocker(db.Model):
    """A 堵点、卡点 or 难点 a report names; followed up as a ticket (and supervision orders on it)."""

    __tablename__ = "blockers"
    __table_args__ = (Index("ix_blockers_project_id_id", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_reports.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default="open")  # open | cleared
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    cleared_at: Mapped[datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    report: Mapped[MonthlyReport] = relationship(back_populates="blockers")
    project: Mapped[Project] = relationship()
    ticket = relationship("Ticket")
