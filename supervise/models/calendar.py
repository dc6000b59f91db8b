"""Working-day calendar overrides: public holidays (on a weekday) and make-up working days (调休)."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from supervise.domain.clock import now
from supervise.extensions import db


class CalendarDay(db.Model):
    """A day whose status differs from the Monday-to-Friday default, or is confirmed by an admin."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[str] = mapped_column(String(20), default="package")  # package | admin
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
