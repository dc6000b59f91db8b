"""Creating accounts: one constructor for every road in (admin, command line, colleagues, registration,
the seed)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from supervise.domain import verification
from supervise.extensions import db
from supervise.models import UNIT_ROLES, Enterprise, Role, Unit, User
from supervise.operations import OperationError


class UsernameTaken(OperationError):
    """Another account has this username."""

    def __init__(self) -> None:
        super().__init__(_l("This username is taken."), field="username")


def create_user(
    actor: User | None,
    *,
    username: str,
    name: str,
    role: Role,
    password: str | None = None,
    password_hash: str | None = None,
    unit: Unit | None = None,
    unit_id: int | None = None,
    enterprise: Enterprise | None = None,
    enterprise_id: int | None = None,
    mobile: str | None = None,
    email: str | None = None,
    active: bool = True,
    created_at: datetime | None = None,
) -> User:
    """A new account, added to the session. ``actor`` is who creates it (None: the platform itself).

    Give ``password`` (hashed here) or an already computed ``password_hash`` (the seed hashes its one
    demo password once). Raises :class:`UsernameTaken`; the caller still catches the database's
    ``IntegrityError`` when two requests race for one name.
    """
    username = username.strip()
    if User.by_username(username):
        raise UsernameTaken()
    user = User(
        username=username,
        name=name.strip(),
        role=role,
        mobile=mobile or None,
        email=(email or "").strip() or None,
        active=active,
    )
    if unit is not None:
        user.unit = unit
    elif unit_id:
        user.unit_id = unit_id
    if enterprise is not None:
        user.enterprise = enterprise
    elif enterprise_id:
        user.enterprise_id = enterprise_id
    if created_at is not None:
        user.created_at = created_at
    if password_hash is not None:
        user.password_hash = password_hash
    else:
        user.set_password(password)
    db.session.add(user)
    return user


def create_staff(
    actor: User | None,
    *,
    username: str,
    name: str,
    role: Role,
    password: str,
    unit: Unit | None = None,
    unit_id: int | None = None,
    mobile: str | None = None,
    email: str | None = None,
    active: bool = True,
) -> User:
    """A staff account (an administrator's form, ``flask create-user``). Handlers and leaders belong to
    a unit: raises :class:`OperationError` on ``unit`` when none is given."""
    if role in UNIT_ROLES and unit is None and not unit_id:
        raise OperationError(_l("Unit handlers and leaders must belong to a unit."), field="unit")
    return create_user(
        actor,
        username=username,
        name=name,
        role=role,
        password=password,
        unit=unit,
        unit_id=unit_id,
        mobile=mobile,
        email=email,
        active=active,
    )


def add_colleague(actor: User, *, username: str, name: str, mobile: str | None, password: str) -> User:
    """A verified enterprise user adds a colleague, who is verified by the voucher's word.

    Raises :class:`UsernameTaken`, or :class:`supervise.domain.verification.VerificationError` when
    ``actor`` is not verified.
    """
    user = create_user(
        actor,
        username=username,
        name=name,
        role=Role.ENTERPRISE,
        enterprise_id=actor.enterprise_id,
        mobile=mobile,
        password=password,
    )
    verification.vouch_for(user, actor)
    return user
