"""Enterprise identity: the evidence that an enterprise account speaks for its company.

An account (``User.verification``) is unverified until verified by one of: a supervisor's review of
an uploaded business licence (:class:`LicenceReview`), a one-time code sent to the company's contact
on record (:class:`VerificationCode`), or an invitation sent to the contact that staff, a cadre or an
Open311 client gave (:class:`Invitation`). Verification belongs to the account, not the company: a
squatter and the real company may both claim one credit code, and only the one who proves it may
follow the company's complaints. Secrets are stored only as hashes.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Enterprise
from supervise.models.user import User


class LicenceReview(db.Model):
    """A business licence uploaded by an account, for a supervisor to check against the credit code."""

    __tablename__ = "licence_reviews"
    __table_args__ = (Index("ix_licence_reviews_state", "state", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(default=now)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending | approved | rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enterprise: Mapped[Enterprise] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class VerificationCode(db.Model):
    """A one-time code sent to the company's contact on record: hashed, expiring, few attempts, used once."""

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # sms | email
    address: Mapped[str] = mapped_column(String(120))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]


class Invitation(db.Model):
    """An invitation to a company known only from staff intake, a cadre or Open311 to activate an account."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # sms | email
    address: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: an Open311 client
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the account it activated
    revoked_at: Mapped[datetime | None]  # replaced by a newer invitation

    enterprise: Mapped[Enterprise] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
