"""The demo's accounts: one password for all, hashed once; the logins ``flask seed`` prints."""

import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from supervise import seed_data as D
from supervise.domain import verification
from supervise.domain.clock import now as clock_now
from supervise.extensions import db
from supervise.models import Enterprise, Role, Unit, UnitKind, User
from supervise.operations import users

DEMO_PASSWORD = "Demo-2026-pass"
SEED = 2026

# The accounts printed after seeding: one per role.
DEMO_ACCOUNTS = [
    (Role.ADMIN, "admin"),
    (Role.SUPERVISOR, "supervisor"),
    (Role.HANDLER, "edu_handler"),
    (Role.LEADER, "edu_leader"),
    (Role.CADRE, "cadre1"),
    (Role.ENTERPRISE, "ent01"),
]


def shared_hash() -> str:
    """One hash for every demo account: scrypt is slow on purpose, so hash the password once."""
    return generate_password_hash(DEMO_PASSWORD, current_app.config["PASSWORD_HASH_METHOD"])


def demo_user(
    username: str,
    name: str,
    role: Role,
    password_hash: str,
    created_at: datetime,
    unit: Unit | None = None,
    enterprise: Enterprise | None = None,
    mobile: str | None = None,
    email: str | None = None,
) -> User:
    """A demo account, set up by the platform's staff: an enterprise's is verified from the start."""
    user = users.create_user(
        None,
        username=username,
        name=name,
        role=role,
        password_hash=password_hash,
        unit=unit,
        enterprise=enterprise,
        mobile=mobile,
        email=email,
        created_at=created_at,
    )
    if role == Role.ENTERPRISE:
        verification.verify_by_staff(user)
        user.verified_at = created_at
    return user


class Names:
    """Unique, plausible personal names drawn from ``rng``."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None):
        self.rng = rng
        self.taken = set(taken or ())

    def __call__(self) -> str:
        while True:
            name = self.rng.choice(D.SURNAMES) + self.rng.choice(D.GIVEN_NAMES)
            if name not in self.taken:
                self.taken.add(name)
                return name


def mobile(rng: random.Random) -> str:
    """A plausible mainland mobile number."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def load_staff() -> None:
    """The demo's staff accounts, all with :data:`DEMO_PASSWORD`: an administrator, two supervisors,
    a handler and a leader in every unit, the liaison cadres. Demo and benchmark data only."""
    rng = random.Random(SEED)
    since = clock_now() - timedelta(days=400)
    by_name = {u.name: u for u in db.session.scalars(select(Unit))}
    units = {slug: by_name[name] for slug, name, *_ in D.UNITS}
    password_hash = shared_hash()
    names = Names(rng)
    demo_user("admin", "系统管理员", Role.ADMIN, password_hash, since, email="admin@xygxq.example")
    for username in ("supervisor", "supervisor2"):
        demo_user(
            username,
            names(),
            Role.SUPERVISOR,
            password_hash,
            since,
            unit=units["office"],
            mobile=mobile(rng),
            email=f"{username}@xygxq.example",
        )
    for slug, _, _, kind, _ in D.UNITS:
        if kind == UnitKind.OFFICE:
            continue
        for role in (Role.HANDLER, Role.LEADER):
            username = f"{slug}_{role.value}"
            demo_user(
                username,
                names(),
                role,
                password_hash,
                since,
                unit=units[slug],
                mobile=mobile(rng),
                email=f"{username}@xygxq.example",
            )
    for username, _ in D.CADRES:
        demo_user(
            username, names(), Role.CADRE, password_hash, since, mobile=mobile(rng), email=f"{username}@xygxq.example"
        )
    db.session.flush()


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, name) of one demo account per role, as found in the database."""
    logins = []
    for role, username in DEMO_ACCOUNTS:
        user = User.by_username(username)
        if user is None or user.role != role:
            user = db.session.scalar(select(User).where(User.role == role, User.active).order_by(User.id).limit(1))
        if user is not None:
            logins.append((role.value, user.username, user.name))
    return logins


def unit_logins() -> list[tuple[str, list[str]]]:
    """(unit name, usernames of its handlers and leaders) for every unit with staff, in the units' order:
    ``flask seed`` prints them all after the one-per-role logins."""
    rows = db.session.execute(
        select(Unit.name, User.username)
        .join(User, User.unit_id == Unit.id)
        .where(User.role.in_((Role.HANDLER, Role.LEADER)), User.active)
        .order_by(Unit.sort, Unit.id, User.role, User.id)
    ).all()
    found: dict[str, list[str]] = {}
    for unit, username in rows:
        found.setdefault(unit, []).append(username)
    return list(found.items())
