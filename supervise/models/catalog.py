"""Categories (two levels) and routing rules (never edited: a change retires a rule, keeping history)."""

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Area, Unit


class LimitClass(str, enum.Enum):
    SIMPLE = "simple"
    STANDARD = "standard"
    COMPLEX = "complex"


def enum_column(enum_cls, length: int = 20):
    return db.Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


category_co_units = Table(
    "category_co_units",
    db.metadata,
    Column("category_id", ForeignKey("categories.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)


class Category(db.Model):
    """A top-level area (parent is None, e.g. 公共服务) or a concrete category under it (e.g. 子女入学)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    default_lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    limit_class: Mapped[LimitClass] = mapped_column(enum_column(LimitClass), default=LimitClass.STANDARD)
    intake_questions: Mapped[str] = mapped_column(Text, default="")  # one question per line
    active: Mapped[bool] = mapped_column(default=True)
    sort: Mapped[int] = mapped_column(default=0)

    parent: Mapped["Category | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Category"]] = relationship(back_populates="parent", order_by="Category.sort")
    default_lead_unit: Mapped[Unit | None] = relationship()
    co_units: Mapped[list[Unit]] = relationship(secondary=category_co_units)

    @property
    def is_area(self) -> bool:
        return self.parent_id is None

    @property
    def questions(self) -> list[str]:
        return [q.strip() for q in (self.intake_questions or "").splitlines() if q.strip()]

    @property
    def full_name(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent else self.name

    def __str__(self) -> str:
        return self.name


class RoutingRule(db.Model):
    """Sends a category (optionally only within one area) to a lead unit.

    Rules are not edited: a change retires the old rule (``retired_at``) and adds a new one.
    """

    __tablename__ = "routing_rules"
    __table_args__ = (Index("ix_routing_rules_active_lookup", "category_id", "area_id", "retired_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retired_at: Mapped[datetime | None]
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    category: Mapped[Category] = relationship()
    area: Mapped[Area | None] = relationship()
    lead_unit: Mapped[Unit] = relationship()

    @property
    def active(self) -> bool:
        return self.retired_at is None
