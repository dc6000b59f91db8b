"""Reply templates: texts a supervisor keeps per category, offered to units in the reply form."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.catalog import Category


class ReplyTemplate(db.Model):
    """A reply text for one category (an area's template is offered for each of its categories)."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    category: Mapped[Category] = relationship()
