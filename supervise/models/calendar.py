"""Working-day calendar overrides: public holidays (on a weekday) and make-up working days (调休)."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
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


class CalendarChange(db.Model):
    """One administrator's change to the calendar, kept so that a job can move the stored due dates.

    ``days`` maps each changed day (ISO) to its status before and after: ``[before, after]``, each
    true (working), false (off) or null (no row: the weekend rule). The job moves the open tickets in
    batches of ticket ids; ``done_through`` is the last ticket id it has handled, ``applied_at`` when it
    finished, so that a second run (or a run after a crash) repeats no move.
    """

    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    days: Mapped[dict] = mapped_column(JSON)
    made_at: Mapped[datetime] = mapped_column(default=now)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_through: Mapped[int] = mapped_column(default=0)
    moved: Mapped[int] = mapped_column(default=0)
    applied_at: Mapped[datetime | None]
