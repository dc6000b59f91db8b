"""Supervisors keep the reply templates (no commit here)."""

from supervise.extensions import db
from supervise.models import Category, ReplyTemplate, User


def save(template: ReplyTemplate | None, category: Category, title: str, body: str, by: User) -> ReplyTemplate:
    """Create (``template`` None) or change a template."""
    template = template or ReplyTemplate()
    template.category, template.title, template.body, template.updated_by_id = category, title.strip(), body, by.id
    db.session.add(template)
    return template


def delete(template: ReplyTemplate) -> None:
    db.session.delete(template)
