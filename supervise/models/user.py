"""Accounts, roles and login sessions."""

import enum
import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from supervise.domain.clock import now
from supervise.domain.mail import normalize_email
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


def hash_secret(secret: str) -> str:
    """What is stored of a secret (API key, token, session id): its SHA-256, never the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


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
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_login_at: Mapped[datetime | None]
    # Enterprise identity (supervise.domain.verification): unverified until shown to speak for the company.
    verification: Mapped[Verification] = mapped_column(
        db.Enum(Verification, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Verification.UNVERIFIED,
    )
    verification_method: Mapped[VerificationMethod | None] = mapped_column(
        db.Enum(VerificationMethod, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    sessions: Mapped[list["UserSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The login session this object was loaded through or logged in with (see ``get_id``); not stored.
    session_id = None

    @validates("email")
    def _valid_email(self, key: str, value: str | None) -> str | None:
        return normalize_email(value)  # the forms say why first; this keeps any other path honest

    def set_password(self, password: str) -> None:
        """Set a new password; every session of the user ends with the old one."""
        from flask import current_app

        # scrypt by default; the test suite trades strength for speed.
        self.password_hash = generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])
        self.sessions.clear()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember cookies: the id of this login session,
        not of the account, so that ending the session refuses every copy of the cookie."""
        if self.session_id is None:
            raise RuntimeError("no login session: log in through supervise.auth.sessions")
        return self.session_id

    def open_session(self) -> str:
        """Start a login session for this user and return its id (a secret: only its hash is kept)."""
        session_id = secrets.token_urlsafe(32)
        self.sessions.append(UserSession(token_hash=hash_secret(session_id)))
        self.session_id = session_id
        return session_id

    @classmethod
    def from_session_id(cls, session_id: str, started_after: datetime) -> "User | None":
        """The user of the login session ``session_id`` if it still runs (not ended, started after
        ``started_after``); else None."""
        if not session_id:
            return None
        user = db.session.scalar(
            select(cls)
            .join(UserSession)
            .where(UserSession.token_hash == hash_secret(session_id), UserSession.created_at > started_after)
        )
        if user is not None:
            user.session_id = session_id
        return user

    def __eq__(self, other: object) -> bool:
        # The same account, whichever session it was loaded through (UserMixin compares get_id).
        if isinstance(other, User):
            return self.id == other.id
        return NotImplemented

    __hash__ = object.__hash__

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


class UserSession(db.Model):
    """One login, on one browser: the cookies carry its id, the table keeps its hash. Logging out
    deletes the row, so a copy of the cookie taken before is refused after; a new password deletes
    every row of the user (:meth:`User.set_password`)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)

    user: Mapped[User] = relationship(back_populates="sessions")

    @classmethod
    def end(cls, session_id: str) -> None:
        """End the login session ``session_id`` (logging out)."""
        db.session.execute(delete(cls).where(cls.token_hash == hash_secret(session_id)))

    @classmethod
    def end_expired(cls, started_before: datetime) -> None:
        """Forget sessions started before ``started_before``: the loader refuses them already."""
        db.session.execute(delete(cls).where(cls.created_at < started_before))
