"""Which reply templates a unit is offered: those of the ticket's category and of its area."""

from sqlalchemy import select

from supervise.extensions import db
from supervise.models import Category, ReplyTemplate


def offered_for(category: Category) -> list[ReplyTemplate]:
    """The templates for ``category`` and for the area above it, the category's own first."""
    ids = [category.id] + ([category.parent_id] if category.parent_id else [])
    found = db.session.scalars(select(ReplyTemplate).where(ReplyTemplate.category_id.in_(ids))).all()
    return sorted(found, key=lambda t: (t.category_id != category.id, t.title, t.id))


def offered_one(category: Category, template_id: int | None) -> ReplyTemplate | None:
    """The template ``template_id`` if it is offered for ``category``, else None."""
    return next((t for t in offered_for(category) if t.id == template_id), None)
