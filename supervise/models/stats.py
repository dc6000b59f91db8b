"""Measures kept up to date: per month of receipt, lead unit and category, the counts every published
measure is computed from. Statistics pages add cells up; they never scan tickets.

A change to a ticket marks its cell dirty in the same transaction (``stats_dirty``); a periodic job
recomputes dirty cells from the tickets of that cell only, and the nightly job recomputes all.
"""

from datetime import date, datetime

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from supervise.domain.clock import now
from supervise.extensions import db

NO_UNIT = 0  # cells of tickets not yet dispatched


class StatsCell(db.Model):
    __tablename__ = "stats_cells"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month received
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # lead unit, NO_UNIT if none
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    dispatched: Mapped[int] = mapped_column(default=0)
    signed: Mapped[int] = mapped_column(default=0)
    signed_on_time: Mapped[int] = mapped_column(default=0)
    replied: Mapped[int] = mapped_column(default=0)  # handling finished (a reply was given)
    replied_on_time: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)  # very satisfied + satisfied + basically satisfied
    first_rated: Mapped[int] = mapped_column(default=0)  # tickets with a first rating (reopened or not)
    first_satisfied: Mapped[int] = mapped_column(default=0)  # of which satisfied at the first rating
    solved_answered: Mapped[int] = mapped_column(default=0)
    solved: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[int] = mapped_column(default=0)  # tickets reopened at least once
    returned: Mapped[int] = mapped_column(default=0)  # tickets returned at least once
    handling_days: Mapped[int] = mapped_column(default=0)  # working days dispatch -> reply, summed
    open_overdue: Mapped[int] = mapped_column(default=0)  # at the last refresh
    open_overdue_red: Mapped[int] = mapped_column(default=0)  # of which red
    published: Mapped[int] = mapped_column(default=0)
    forwarded: Mapped[int] = mapped_column(default=0)  # handed to another zone's platform (跨域转办)
    refreshed_at: Mapped[datetime] = mapped_column(default=now)


class StatsDirty(db.Model):
    """A cell to recompute; written in the transaction that changed one of its tickets."""

    __tablename__ = "stats_dirty"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(default=now)
