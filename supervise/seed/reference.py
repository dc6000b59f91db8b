"""What every installation starts from: units, areas, categories with their routing, the calendar."""

from datetime import timedelta

from supervise import seed_data as D
from supervise.domain import routing
from supervise.domain.calendar_admin import sync_from_package
from supervise.domain.clock import now as clock_now
from supervise.extensions import db
from supervise.models import Area, Category, Unit


def load_reference() -> None:
    """Units, areas, categories, routing rules and the calendar (last, this and next year): no account."""
    year = clock_now().year
    sync_from_package([year - 1, year, year + 1])
    since = clock_now() - timedelta(days=400)

    units: dict[str, Unit] = {}
    for sort, (slug, name, short, kind, parent) in enumerate(D.UNITS):
        units[slug] = Unit(name=name, short_name=short, kind=kind, parent=units.get(parent), sort=sort)
        db.session.add(units[slug])
        db.session.flush()  # ids in the listed order
    areas = {name: Area(name=name, sort=sort) for sort, (name, _) in enumerate(D.AREAS)}
    db.session.add_all(areas.values())

    tops = {name: Category(name=name, description=text, sort=sort) for sort, (name, text) in enumerate(D.TOP_AREAS)}
    db.session.add_all(tops.values())
    categories: dict[str, Category] = {}
    for sort, spec in enumerate(D.CATEGORIES):
        category = Category(
            name=spec["name"],
            parent=tops[spec["area"]],
            description=spec["description"],
            default_lead_unit=units[spec["lead"]] if spec["lead"] else None,
            limit_class=spec["limit"],
            intake_questions="\n".join(q for q, _ in spec["questions"]),
            sort=sort,
        )
        category.co_units = [units[slug] for slug in spec["co"]]
        categories[spec["name"]] = category
    db.session.add_all(categories.values())
    db.session.flush()

    # Rules loaded at installation have no author.
    for category, slug, note in D.CATEGORY_RULES:
        rule = routing.add_rule(categories[category], units[slug], None, None, note)
        rule.created_at = since
    for category, area, slug, note in D.AREA_RULES:
        rule = routing.add_rule(categories[category], units[slug], areas[area].id, None, note)
        rule.created_at = since
    db.session.flush()
