"""Side effects as data: the outbox of messages to deliver, in-app notifications, alert records and
the runs of periodic jobs.

An outbox row is written in the same transaction as the change that causes it; jobs deliver it after
the commit. ``dedupe_key`` makes each (event, recipient, channel) one row, so a repeated trigger is
a no-op; delivery marks the row sent, so a repeated job is a no-op too.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from supervise.domain.clock import now
from supervise.domain.mail import SUBJECT_MAX, subject_line
from supervise.extensions import db
from supervise.models.user import User


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    channel: Mapped[str] = mapped_column(String(10))  # inapp | email | sms
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(120))  # e-mail or mobile when not a user's
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sent | failed | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now)
    enqueued_at: Mapped[datetime | None]  # last hand-over to the queue (the relay skips fresh ones)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()

    @validates("subject")
    def _one_line_subject(self, key: str, value: str) -> str:
        # Every subject, whoever writes the message, becomes a mail header: one line, as it is sent.
        return subject_line(value)


class Notification(db.Model):
    """An in-app notification, shown in the user's notification centre."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_id", "user_id", "id"),  # the notification centre, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=now)
    read_at: Mapped[datetime | None]

    outbox: Mapped[OutboxMessage | None] = relationship()


class TicketAlert(db.Model):
    """A warning or reminder that was raised for a ticket: each kind once per deadline (or month)."""

    __tablename__ = "ticket_alerts"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", "due_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    # yellow | orange | red | sign_overdue | accept_overdue | order_overdue | rating_reminder | monthly_report
    kind: Mapped[str] = mapped_column(String(20))
    due_key: Mapped[str] = mapped_column(String(30))  # the deadline (or month) the alert is about
    raised_at: Mapped[datetime] = mapped_column(default=now)
    # For monthly progress reports: when and by whom the unit reported.
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class JobRun(db.Model):
    """The last runs of periodic jobs, for the operations page."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_name_started", "name", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]
    ok: Mapped[bool | None]
    summary: Mapped[str] = mapped_column(Text, default="")


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"
