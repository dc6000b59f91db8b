"""Public e-mail alerts: who follows what (a unit, a category or one published ticket), and the
public events whose alerts are still to be fanned out to the followers.

A subscription is one row per (address, target), kept only while it is wanted: an unconfirmed one
expires, an unsubscribe deletes it. Nothing about a subscriber is ever shown publicly.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supervise.domain.clock import now
from supervise.domain.mail import EMAIL_MAX
from supervise.extensions import db


class AlertSubscription(db.Model):
    __tablename__ = "alert_subscriptions"
    __table_args__ = (
        UniqueConstraint("email", "target_kind", "target_id", name="uq_alert_subscription"),
        # The fan-out: the confirmed followers of one target, by address.
        Index("ix_alert_subscriptions_target", "target_kind", "target_id", "email"),
        Index("ix_alert_subscriptions_unconfirmed", "confirmed_at", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))  # normalised (supervise.domain.mail)
    target_kind: Mapped[str] = mapped_column(String(10))  # unit | category | ticket
    target_id: Mapped[int]
    # A random value signed into the confirmation and unsubscribe links; renewed when the address
    # subscribes again, so that a link from an earlier subscription no longer works.
    nonce: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    confirmed_at: Mapped[datetime | None]


class AlertEvent(db.Model):
    """A public event on a published ticket whose alerts are to be sent: written in the event's
    transaction, fanned out by a job after the commit (the relay picks up what was missed)."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_pending", "done_at", "enqueued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("ticket_events.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    enqueued_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    sent: Mapped[int] = mapped_column(default=0)  # alerts written to the outbox
