"""The console's queues: what each one holds, how many tickets each holds, and how each is listed."""

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select, true

from supervise.domain import clocks, counts, scoped, workflow
from supervise.domain.clock import now
from supervise.models import EVERYWHERE, ExtensionRequest, State, SupervisionOrder, Ticket
from supervise.models.ticket import AWAITING_PUBLICATION, RESULT_AWAITING_PUBLICATION


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    danger: bool = False


QUEUES = [
    Queue("to_accept", _l("To accept")),
    Queue("dispatch_queue", _l("To dispatch")),
    Queue("returns", _l("Returns")),
    Queue("extensions", _l("Extension requests")),
    Queue("replies", _l("Replies to review")),
    Queue("ratings", _l("Bad ratings")),
    Queue("orders", _l("Open supervision orders")),
    Queue("overdue", _l("Overdue"), danger=True),
    Queue("to_publish", _l("To publish")),
    Queue("all", _l("All tickets")),
]
QUEUE_KEYS = {q.key for q in QUEUES}


def queue_condition(key: str) -> ColumnElement[bool]:
    """The WHERE clause of one queue."""
    if key == "to_accept":
        return Ticket.state == State.SUBMITTED
    if key == "dispatch_queue":
        return Ticket.state == State.AWAITING_DISPATCH
    if key == "returns":
        return Ticket.state == State.RETURNED
    if key == "extensions":
        pending = select(ExtensionRequest.ticket_id).where(ExtensionRequest.status == "pending")
        return Ticket.id.in_(pending)
    if key == "replies":
        return Ticket.state == State.REPLIED
    if key == "ratings":
        return Ticket.state == State.RATING_REVIEW
    if key == "orders":
        unanswered = select(SupervisionOrder.ticket_id).where(SupervisionOrder.answered_at.is_(None))
        return and_(Ticket.id.in_(unanswered), Ticket.state.in_(clocks.OPEN_STATES))
    if key == "overdue":
        return clocks.overdue_clause(now())
    if key == "to_publish":
        return or_(workflow.awaiting_publication(), workflow.result_awaiting_publication())
    return true()


# The queues that are one state: counted from the kept counters (the supervisors' scope is everything).
QUEUE_STATE = {
    "to_accept": State.SUBMITTED,
    "dispatch_queue": State.AWAITING_DISPATCH,
    "returns": State.RETURNED,
    "replies": State.REPLIED,
    "ratings": State.RATING_REVIEW,
}


def queue_counts() -> dict[str, int]:
    """Every queue's count: the kept counters, and an index count for the queues that are not a state
    (pending extension requests, open orders, overdue: open tickets only)."""
    kept = counts.read(EVERYWHERE)
    found = {key: kept[state.value] for key, state in QUEUE_STATE.items()}
    found |= {"to_publish": kept[counts.TO_PUBLISH], "all": counts.in_states(kept, State)}
    return found | {
        key: scoped.count(current_user, queue_condition(key)) for key in ("extensions", "orders", "overdue")
    }


def queue_branches(key: str) -> list[ColumnElement[bool]]:
    """The queue's condition as alternatives, each listed through an index of its own ("to publish":
    the two partial indexes whose predicates are written beside the rule; "all": none)."""
    if key == "to_publish":
        return [
            and_(AWAITING_PUBLICATION, workflow.awaiting_publication()),
            and_(RESULT_AWAITING_PUBLICATION, workflow.result_awaiting_publication()),
        ]
    return [] if key == "all" else [queue_condition(key)]
