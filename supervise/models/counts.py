"""How many tickets each scope holds in each bucket: kept with every change, so that the staff pages
read their tab and queue counts from a handful of rows instead of scanning the ticket table.

Kept by :mod:`supervise.domain.counts` in the flush that changes a ticket (same transaction);
``flask counts-rebuild`` recomputes them from the tickets.
"""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from supervise.extensions import db

EVERYWHERE = 0  # the scope of every ticket (the supervisors'); other scopes are unit ids


class TicketCount(db.Model):
    __tablename__ = "ticket_counts"

    # A unit (its tickets as lead unit or co-handling unit), or EVERYWHERE.
    scope_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A state's value, or a flag such as "to_publish" (see domain.counts.buckets).
    bucket: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
