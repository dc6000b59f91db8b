"""Maintenance jobs: rebuilding derived data after reference data changed."""

from sqlalchemy import or_, select

from supervise.domain import search
from supervise.jobs import job
from supervise.models import Category, Ticket


@job
def reindex_unit(unit_id: int) -> int:
    """A unit was renamed: its tickets' search documents name it."""
    return search.reindex(Ticket.lead_unit_id == unit_id)


@job
def reindex_category(category_id: int) -> int:
    """A category (or a top-level area, and so its categories) was renamed."""
    ids = select(Category.id).where(or_(Category.id == category_id, Category.parent_id == category_id))
    return search.reindex(Ticket.category_id.in_(ids))


@job
def reindex_enterprise(enterprise_id: int) -> int:
    """An enterprise's names or aliases changed: they are masked, so they leave its documents."""
    return search.reindex(Ticket.enterprise_id == enterprise_id)
