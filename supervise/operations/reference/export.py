"""The database's reference data as the rows of the template's sheets (labels in the current language)."""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise.extensions import db
from supervise.models import Area, Category, Role, RoutingRule, Unit, User
from supervise.operations.reference.sheets import KINDS, LIMIT_CLASSES, ROLES


def _flag(value: bool) -> str:
    return _("Yes") if value else _("No")


def _units() -> list[list[Any]]:
    units = db.session.scalars(select(Unit).order_by(Unit.sort, Unit.name)).all()
    names = {u.id: u.name for u in units}
    return [
        [u.name, u.short_name or "", str(KINDS[u.kind]), names.get(u.parent_id, ""), _flag(u.active), u.sort]
        for u in units
    ]


def _areas() -> list[list[Any]]:
    areas = db.session.scalars(select(Area).order_by(Area.sort, Area.name))
    return [[a.name, _flag(a.active), a.sort] for a in areas]


def _categories() -> list[list[Any]]:
    rows = db.session.scalars(
        select(Category).options(selectinload(Category.default_lead_unit), selectinload(Category.co_units))
    ).all()
    names = {c.id: c.name for c in rows}
    rows = sorted(rows, key=lambda c: (c.parent_id is not None, names.get(c.parent_id, ""), c.sort, c.name))
    return [
        [
            names.get(c.parent_id, ""),
            c.name,
            str(LIMIT_CLASSES[c.limit_class]),
            c.default_lead_unit.name if c.default_lead_unit else "",
            "、".join(sorted(u.name for u in c.co_units)),
            c.intake_questions or "",
            c.description or "",
            _flag(c.active),
            c.sort,
        ]
        for c in rows
    ]


def _rules() -> list[list[Any]]:
    rules = db.session.scalars(
        select(RoutingRule)
        .where(RoutingRule.retired_at.is_(None))
        .options(
            selectinload(RoutingRule.category).selectinload(Category.parent),
            selectinload(RoutingRule.area),
            selectinload(RoutingRule.lead_unit),
        )
        .order_by(RoutingRule.id)
    ).all()
    lines = [
        [
            r.category.parent.name if r.category.parent else "",
            r.category.name,
            r.area.name if r.area else "",
            r.lead_unit.name,
            r.note or "",
        ]
        for r in rules
    ]
    return sorted(lines, key=lambda line: line[:3])


def _users() -> list[list[Any]]:
    users = db.session.scalars(
        select(User).where(User.role != Role.ENTERPRISE).options(selectinload(User.unit)).order_by(User.username)
    )
    return [
        [
            u.username,
            u.name,
            str(ROLES[u.role]),
            u.unit.name if u.unit else "",
            u.mobile or "",
            u.email or "",
            _flag(u.active),
        ]
        for u in users
    ]


def values() -> dict[str, list[list[Any]]]:
    """Rows by sheet key."""
    return {"units": _units(), "areas": _areas(), "categories": _categories(), "rules": _rules(), "users": _users()}
