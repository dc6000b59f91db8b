"""Writing a checked reference-data plan: rows matched by their natural key are updated, the others
created; nothing is deleted. Units go through :mod:`supervise.operations.units`, accounts through
:mod:`supervise.operations.users`, rules through :mod:`supervise.domain.routing` (a changed rule retires
the old one, keeping history). Nothing here commits."""

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from supervise.domain import routing
from supervise.extensions import db
from supervise.models import Area, Category, RoutingRule, Unit, User
from supervise.operations import units as units_ops
from supervise.operations import users as users_ops
from supervise.operations.reference.check import Plan
from supervise.operations.reference.sheets import AREAS, CATEGORIES, RULES, UNITS, USERS, Sheet


@dataclass
class Change:
    """A row that created or updated something."""

    sheet: str
    row: int
    name: str
    created: bool


@dataclass
class Written:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    passwords: dict[str, str] = field(default_factory=dict)  # new username -> initial password

    def track(self, sheet: Sheet, row: int, name: str, before: tuple | None, after: tuple) -> None:
        if before == after:
            self.unchanged += 1
        else:
            self.changes.append(Change(str(sheet.title), row, name, before is None))


def initial_password() -> str:
    """A password for a new account, shown once to the administrator: letters and digits."""
    return secrets.token_urlsafe(9) + str(secrets.randbelow(10))


def _unit_facts(unit: Unit) -> tuple:
    return (unit.short_name, unit.kind, unit.parent_id, unit.active, unit.sort)


def _units(actor: User | None, plan: Plan, out: Written) -> dict[str, Unit]:
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    before = {r.name: _unit_facts(units[r.name]) if r.name in units else None for r in plan.units}
    for record in plan.units:
        units.setdefault(record.name, Unit(name=record.name, kind=record.kind))
        db.session.add(units[record.name])
    db.session.flush()  # the new units' ids, for their children
    for record in plan.units:
        unit = units[record.name]
        parent = units[record.parent].id if record.parent else None
        details = units_ops.UnitDetails(record.name, record.kind, record.short_name, parent, record.active, record.sort)
        units_ops.save_unit(actor, unit, details)
        out.track(UNITS, record.row, record.name, before[record.name], _unit_facts(unit))
    return units


def _areas(plan: Plan, out: Written) -> dict[str, Area]:
    areas = {a.name: a for a in db.session.scalars(select(Area))}
    for record in plan.areas:
        area = areas.get(record.name)
        before = (area.active, area.sort) if area else None
        if area is None:
            area = areas[record.name] = Area(name=record.name)
            db.session.add(area)
        area.active, area.sort = record.active, record.sort
        out.track(AREAS, record.row, record.name, before, (area.active, area.sort))
    return areas


def _category_facts(category: Category) -> tuple:
    co_units = sorted(u.name for u in category.co_units)
    return (
        category.limit_class,
        category.default_lead_unit and category.default_lead_unit.name,
        co_units,
        category.intake_questions,
        category.description,
        category.active,
        category.sort,
    )


def _categories(plan: Plan, units: dict[str, Unit], out: Written) -> dict[tuple[str, str], Category]:
    rows = db.session.scalars(select(Category)).all()
    names = {c.id: c.name for c in rows}
    categories = {(names.get(c.parent_id, ""), c.name): c for c in rows}
    # Top-level areas first: the categories under them need them.
    for record in sorted(plan.categories, key=lambda r: r.area != ""):
        key = (record.area, record.name)
        category = categories.get(key)
        before = _category_facts(category) if category else None
        if category is None:
            category = categories[key] = Category(name=record.name, parent=categories.get(("", record.area)))
            db.session.add(category)
        category.limit_class = record.limit_class
        category.default_lead_unit = units[record.lead] if record.lead else None
        category.co_units = [units[name] for name in dict.fromkeys(record.co_units)]
        category.intake_questions = "\n".join(q.strip() for q in record.questions.splitlines() if q.strip())
        category.description = record.description
        category.active, category.sort = record.active, record.sort
        out.track(CATEGORIES, record.row, category.full_name, before, _category_facts(category))
    return categories


def _rules(actor: User | None, plan: Plan, units, areas, categories, out: Written) -> None:
    db.session.flush()  # ids of new categories and areas
    for record in plan.rules:
        category = categories[(record.area, record.category)]
        area = areas[record.street] if record.street else None
        lead = units[record.lead]
        rule = db.session.scalar(
            select(RoutingRule).where(
                RoutingRule.category_id == category.id,
                RoutingRule.retired_at.is_(None),
                RoutingRule.area_id.is_(None) if area is None else RoutingRule.area_id == area.id,
            )
        )
        before = (rule.lead_unit_id, rule.note) if rule else None
        if before != (lead.id, record.note):
            routing.add_rule(category, lead, area.id if area else None, actor, record.note)
        out.track(RULES, record.row, category.full_name, before, (lead.id, record.note))


def _user_facts(user: User) -> tuple:
    return (user.name, user.unit_id, user.mobile, user.email, user.active)


def _users(actor: User | None, plan: Plan, units: dict[str, Unit], out: Written) -> None:
    for record in plan.users:
        unit = units[record.unit] if record.unit else None
        user = User.by_username(record.username)
        if user is None:
            password = initial_password()
            user = users_ops.create_staff(
                actor,
                username=record.username,
                name=record.name,
                role=record.role,
                password=password,
                unit=unit,
                mobile=record.mobile,
                email=record.email,
                active=record.active,
            )
            out.passwords[user.username] = password
            out.track(USERS, record.row, record.username, None, ())
            continue
        before = _user_facts(user)
        user.name, user.unit, user.mobile, user.email, user.active = (
            record.name,
            unit,
            record.mobile,
            record.email,
            record.active,
        )
        db.session.flush()
        out.track(USERS, record.row, record.username, before, _user_facts(user))


def write(actor: User | None, plan: Plan) -> Written:
    """Create or update what ``plan`` lists; returns the rows that changed something and the new
    accounts' initial passwords. Raises :class:`supervise.operations.OperationError` on a rule the
    checks missed (the caller rolls back)."""
    out = Written()
    units = _units(actor, plan, out)
    areas = _areas(plan, out)
    categories = _categories(plan, units, out)
    _rules(actor, plan, units, areas, categories, out)
    _users(actor, plan, units, out)
    return out
