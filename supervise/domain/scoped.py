"""Staff lists and counts that cost the same at ten thousand tickets and at a million (issue 10).

A list is the union of a few index ranges, each walked newest first and cut at one page: the parts of
the user's scope (:func:`access.scope_parts`: a unit's led and co-handled tickets, the latter read
from the co-handling rows' copies of state and due date alone) times the
alternatives of the list's condition (the console's "to publish" is two partial indexes). An OR over
them would leave the planner no index whose order is the list's. The counts a page shows come from
the kept counters (:mod:`supervise.domain.counts`); those that depend on the time of day are counted
here, through the same parts, over index ranges of open tickets only.
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, func, select, union, union_all

from supervise.domain import access
from supervise.extensions import db
from supervise.models import Ticket, User


def newest_part(part: Select, column: ColumnElement[int], limit: int, *, whole_range: bool) -> Select:
    """The ``limit`` newest ids of one part (a query of ticket ids ordered by ``column``)."""
    if whole_range:
        # OFFSET 0 keeps the planner from walking the newest tickets of the unit and filtering them
        # (the newest are rarely late: at 1M it filtered 116,000 to find a page of overdue ones); the
        # part is its whole index range, a few open tickets, sorted.
        ranged = part.offset(0).subquery()
        part, column = select(ranged.c[0]), ranged.c[0]
    return select(part.order_by(column.desc()).limit(limit).subquery().c[0])


def newest_ids(
    user: User,
    conditions: Sequence[ColumnElement[bool]],
    after: tuple | None,
    limit: int,
    *,
    whole_range: bool = False,
) -> Select:
    """The ids of the ``limit`` newest tickets of ``user``'s scope meeting any of ``conditions`` (all
    tickets when empty), below the cursor ``after``: at most ``limit`` ids from each index range.
    ``whole_range``: the conditions select open tickets by due date (overdue, due soon), whose index
    ranges are short but hold few of the newest tickets: each range is read whole and sorted."""
    parts = []
    for condition in conditions or [None]:
        for part, column in access.scope_parts(user, condition):
            if after is not None:
                part = part.where(column < after[0])
            parts.append(newest_part(part, column, limit, whole_range=whole_range))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def in_newest(
    user: User, conditions: Sequence[ColumnElement[bool]], after: tuple | None, limit: int, *, whole_range: bool = False
):
    """A WHERE clause on tickets: among :func:`newest_ids` (the page query orders and cuts them again)."""
    return Ticket.id.in_(newest_ids(user, conditions, after, limit, whole_range=whole_range))


def count(user: User, condition: ColumnElement[bool]) -> int:
    """How many tickets of ``user``'s scope meet ``condition``: for conditions on open tickets (due
    soon, overdue, open orders), whose index ranges do not grow with the table's history."""
    parts = [query for query, _ in access.scope_parts(user, condition)]
    ids = parts[0] if len(parts) == 1 else union(*parts)  # a ticket led and co-handled counts once
    return db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
