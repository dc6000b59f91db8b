"""Routing: which unit leads on a complaint of a given category and area."""

from sqlalchemy import select

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import Category, RoutingRule, Unit, User


def resolve_lead_unit(category: Category, area_id: int | None) -> Unit | None:
    """The lead unit for a complaint, or None when it must wait in the dispatch queue.

    The most specific active rule wins: category and area, then category alone; without a rule the
    category's own default lead unit applies. Only a unit that handles tickets leads (never the office).
    """
    rules = db.session.scalars(
        select(RoutingRule).where(
            RoutingRule.category_id == category.id,
            RoutingRule.retired_at.is_(None),
            (RoutingRule.area_id == area_id) | RoutingRule.area_id.is_(None),
        )
    ).all()
    for rule in sorted(rules, key=lambda r: r.area_id is None):
        if rule.lead_unit.handles_tickets:
            return rule.lead_unit
    unit = category.default_lead_unit
    return unit if unit is not None and unit.handles_tickets else None


def co_units_for(category: Category, lead: Unit | None) -> list[Unit]:
    """The category's co-handling units besides the lead: like the lead, only units that handle tickets."""
    return [u for u in category.co_units if u.handles_tickets and u != lead]


def add_rule(category: Category, lead_unit: Unit, area_id: int | None, by: User | None, note: str = "") -> RoutingRule:
    """Add a rule; an active rule for the same category and area is retired, keeping history."""
    for old in active_rules(category_id=category.id, area_id=area_id, exact_area=True):
        retire_rule(old, by)
    rule = RoutingRule(category=category, lead_unit=lead_unit, area_id=area_id, note=note, created_by_id=by and by.id)
    db.session.add(rule)
    return rule


def retire_rule(rule: RoutingRule, by: User | None) -> None:
    if rule.retired_at is None:
        rule.retired_at = now()
        rule.retired_by_id = by and by.id


def active_rules(
    category_id: int | None = None, area_id: int | None = None, exact_area: bool = False
) -> list[RoutingRule]:
    query = select(RoutingRule).where(RoutingRule.retired_at.is_(None))
    if category_id is not None:
        query = query.where(RoutingRule.category_id == category_id)
    if exact_area:
        query = query.where(RoutingRule.area_id.is_(None) if area_id is None else RoutingRule.area_id == area_id)
    return list(db.session.scalars(query.order_by(RoutingRule.category_id, RoutingRule.id)))
