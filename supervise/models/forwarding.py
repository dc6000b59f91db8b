"""Cross-zone forwarding (跨域转办): the peers this platform hands tickets to, and each hand-over.

A :class:`Forwarding` row is the outbox of one forward: written in the same transaction as the
``forward`` transition, delivered by a job after the commit (retried with backoff while the peer is
down), then polled for the remote status and public updates.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db


class Peer(db.Model):
    """Another zone's platform, reached through its Open311 endpoint."""

    __tablename__ = "peers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    zone: Mapped[str] = mapped_column(String(100))  # its jurisdiction, as shown to staff
    base_url: Mapped[str] = mapped_column(String(300))  # the Open311 base, e.g. https://x/open311/v2
    # Its key for our requests: kept (it must be sent), shown back only by its first characters.
    api_key: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Our category id (as a string) -> its service_code.
    service_codes: Mapped[dict | None] = mapped_column(JSON)
    # The Open311 key the peer files with here: tickets filed with it show the peer as their origin.
    inbound_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    @property
    def key_hint(self) -> str:
        return (self.api_key[:4] + "…") if self.api_key else ""


class Forwarding(db.Model):
    """One ticket handed to a peer: delivery state, then the remote request it became."""

    __tablename__ = "forwardings"
    __table_args__ = (Index("ix_forwardings_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peers.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sent | failed | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now)
    enqueued_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]
    remote_id: Mapped[str | None] = mapped_column(String(40))  # the peer's service_request_id
    remote_status: Mapped[str | None] = mapped_column(String(40))  # its status_extended, as last fetched
    remote_notes: Mapped[str | None] = mapped_column(Text)  # its status_notes, as last fetched
    fetched_at: Mapped[datetime | None]

    peer: Mapped[Peer] = relationship()
    ticket = relationship("Ticket", back_populates="forwarding")
