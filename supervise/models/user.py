"""Accounts and roles."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Enterprise, Unit


class Verification(str, enum.Enum):
    """Whether an enterprise account speaks for its company (staff accounts are never asked)."""

    UNVERIFIED = "unverified"  # sees only the complaints it filed itself
    PENDING = "pending"  # a business licence awaits a supervisor's review
    VERIFIED = "verified"


class VerificationMethod(str, enum.Enum):
    CODE = "code"  # a one-time code sent to the company's contact on record
    LICENCE = "licence"  # a supervisor checked the uploaded business licence
    INVITATION = "invitation"  # activated an invitation sent to the contact staff took down
    COLLEAGUE = "colleague"  # added by a verified colleague
    STAFF = "staff"  # set up by the platform's staff (the demo seed)
    EXISTING = "existing"  # an account that existed before verification was introduced


class Role(str, enum.Enum):
    ENTERPRISE = "enterprise"
    HANDLER = "handler"  # 承办人
    LEADER = "leader"  # 单位负责人
    SUPERVISOR = "supervisor"  # 营商办
    CADRE = "cadre"  # 包联干部
    ADMIN = "admin"


UNIT_ROLES = frozenset({Role.HANDLER, Role.LEADER})


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(60))
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    mobile: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(10))
    # Channels besides the in-app notification centre, chosen by the user.
    notify_email: Mapped[bool] = mapped_column(default=True)
    notify_sms: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session id: changing it logs out every other session of this user.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_login_at: Mapped[datetime | None]
    # Enterprise identity (supervise.domain.verification): unverified until shown to speak for the company.
    verification: Mapped[Verification] = mapped_column(
        db.Enum(Verification, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Verification.UNVERIFIED)
    verification_method: Mapped[VerificationMethod | None] = mapped_column(
        db.Enum(VerificationMethod, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()

    def set_password(self, password: str) -> None:
        from flask import current_app

        # scrypt by default; the test suite trades strength for speed.
        self.password_hash = generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @classmethod
    def from_session_id(cls, session_id: str) -> "User | None":
        user_id, _, token = (session_id or "").partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(cls, int(user_id))
        if user is None or not secrets.compare_digest(user.session_token, token):
            return None
        return user

    @classmethod
    def by_username(cls, username: str) -> "User | None":
        return db.session.scalar(select(cls).where(cls.username == username.strip()))

    @property
    def is_verified(self) -> bool:
        """True when this enterprise account has shown that it speaks for its company."""
        return self.verification == Verification.VERIFIED

    @property
    def is_unit_staff(self) -> bool:
        return self.role in UNIT_ROLES

    def __str__(self) -> str:
        return self.name
