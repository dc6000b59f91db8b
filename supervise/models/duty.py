"""Warnings about duties that are not tickets: a key project's monthly report, a milestone, a
responsibility task, a rectification deadline. Each kind once per subject and deadline, like
``ticket_alerts`` for tickets."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supervise.domain.clock import now
from supervise.extensions import db


class DutyAlert(db.Model):
    __tablename__ = "duty_alerts"
    __table_args__ = (
        UniqueConstraint("subject", "subject_id", "kind", "due_key"),
        # a unit's open warnings, newest first (its registers show them)
        Index("ix_duty_alerts_unit_open", "unit_id", "resolved_at", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # what the duty belongs to, e.g. "project_report", "milestone", "task", "ledger_item"
    subject: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # yellow | orange | red, or a register's own kind
    due_key: Mapped[str] = mapped_column(String(30))  # the deadline (or month) the warning is about
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # the unit that owes the duty
    raised_at: Mapped[datetime] = mapped_column(default=now)
    resolved_at: Mapped[datetime | None]  # the duty was done after the warning
