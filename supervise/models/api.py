"""Credentials for machines: Open311 API keys (clients that file complaints) and personal API tokens
(units' and supervisors' own systems acting as a user). Only a hash of each secret is stored."""

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.user import User, hash_secret


class ApiKey(db.Model):
    """An Open311 client's key: required to POST service requests."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))  # shown in lists, to tell keys apart
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @classmethod
    def issue(cls, name: str, by: User | None = None) -> tuple["ApiKey", str]:
        """A new key and its secret (shown once, never stored)."""
        secret = "k_" + secrets.token_urlsafe(30)
        return cls(name=name, key_hash=hash_secret(secret), prefix=secret[:8], created_by_id=by and by.id), secret


class ApiToken(db.Model):
    """A personal token for the JSON API; it acts with its user's role and permissions."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        secret = "t_" + secrets.token_urlsafe(30)
        return cls(user=user, name=name, token_hash=hash_secret(secret), prefix=secret[:8]), secret
