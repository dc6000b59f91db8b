"""The rectification ledger (整改台账) and closed-loop supervision rounds (闭环督导).

A :class:`LedgerItem` is a problem a unit must rectify: from provincial feedback, self-inspection, a
supervision round's finding, or a pattern of complaints. It moves 整改中 → 待验收 → 已销号 (or is sent
back to 整改中) as ``supervise.domain.ledger`` says; every move is a :class:`LedgerEvent`, evidence is
stored with :mod:`supervise.storage` as :class:`LedgerEvidence`.

A :class:`SupervisionRound` inspects units against a checklist (:class:`RoundScore` per unit and
item); its findings are ledger items of source ``round``; the next round verifies the previous round's
items (:class:`RoundVerification`).
"""

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Unit
from supervise.models.ticket import Ticket
from supervise.models.user import User


class LedgerSource(str, enum.Enum):
    PROVINCIAL = "provincial"  # 省级反馈
    SELF_INSPECTION = "self_inspection"  # 本级自查
    ROUND = "round"  # 督导发现
    COMPLAINT = "complaint"  # 投诉集中反映


class LedgerState(str, enum.Enum):
    RECTIFYING = "rectifying"  # 整改中
    AWAITING_ACCEPTANCE = "awaiting_acceptance"  # 待验收
    CLOSED = "closed"  # 已销号


def _enum(kind: type[enum.Enum]):
    return db.Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


round_units = Table(
    "round_units",
    db.metadata,
    Column("round_id", ForeignKey("supervision_rounds.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)

ledger_item_tickets = Table(
    "ledger_item_tickets",
    db.metadata,
    Column("item_id", ForeignKey("ledger_items.id"), primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id"), primary_key=True),
)


class SupervisionRound(db.Model):
    """One round of closed-loop supervision: who was inspected in which period, and how they scored."""

    __tablename__ = "supervision_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    period_start: Mapped[date]
    period_end: Mapped[date]
    # the round whose findings this one verifies (the one before it)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_rounds.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    previous: Mapped["SupervisionRound | None"] = relationship(remote_side=[id])
    units: Mapped[list[Unit]] = relationship(secondary=round_units, order_by="Unit.sort, Unit.id")
    scores: Mapped[list["RoundScore"]] = relationship(back_populates="round", cascade="all, delete-orphan")


class RoundScore(db.Model):
    """A unit's score on one checklist item of a round (0–100), with the inspectors' note."""

    __tablename__ = "round_scores"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("supervision_rounds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    item: Mapped[str] = mapped_column(String(30))  # a key of ``supervise.domain.rounds.CHECKLIST``
    score: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(300))
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scored_at: Mapped[datetime] = mapped_column(default=now)

    round: Mapped[SupervisionRound] = relationship(back_populates="scores")


class LedgerItem(db.Model):
    """A problem to rectify, its lead unit's measures and deadline, and its way to closure (销号)."""

    __tablename__ = "ledger_items"
    __table_args__ = (
        # the office's counts by source and state, and its filters by them
        Index("ix_ledger_items_source_state", "source", "state", "id"),
        # the office's list by state, newest first; the deadline job's open items by deadline
        Index("ix_ledger_items_state_deadline", "state", "deadline"),
        # a unit's items
        Index("ix_ledger_items_unit_state", "unit_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[LedgerSource] = mapped_column(_enum(LedgerSource))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    measures: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date]
    state: Mapped[LedgerState] = mapped_column(_enum(LedgerState), default=LedgerState.RECTIFYING)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_rounds.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    submitted_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    closure_note: Mapped[str | None] = mapped_column(Text)
    # what the public reads once it is closed (masked again when shown)
    public_summary: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit] = relationship()
    round: Mapped[SupervisionRound | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    tickets: Mapped[list[Ticket]] = relationship(secondary=ledger_item_tickets, order_by="Ticket.id")
    events: Mapped[list["LedgerEvent"]] = relationship(
        back_populates="item", order_by="LedgerEvent.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list["LedgerEvidence"]] = relationship(
        back_populates="item", order_by="LedgerEvidence.id", cascade="all, delete-orphan"
    )


class LedgerEvent(db.Model):
    """One step of an item's history: who did what, when, from which state to which, and why."""

    __tablename__ = "ledger_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_items.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # a key of ``supervise.domain.ledger.ACTIONS``
    from_state: Mapped[LedgerState | None] = mapped_column(_enum(LedgerState))
    to_state: Mapped[LedgerState] = mapped_column(_enum(LedgerState))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[LedgerItem] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()


class LedgerEvidence(db.Model):
    """A file the lead unit gave as evidence of its rectification, kept in the attachment store."""

    __tablename__ = "ledger_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_items.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=now)

    item: Mapped[LedgerItem] = relationship(back_populates="evidence")


class RoundVerification(db.Model):
    """A round's check of an earlier round's item: rectification confirmed, or not (the item reopened)."""

    __tablename__ = "round_verifications"
    __table_args__ = (UniqueConstraint("round_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("supervision_rounds.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_items.id"), index=True)
    confirmed: Mapped[bool]
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=now)

    item: Mapped[LedgerItem] = relationship()
    by: Mapped[User | None] = relationship()
