"""The ticket state machine: the one place that lists states, transitions, who may make each, what
each accepts and requires, who is told, and the timeline event it writes.

Every view, job and API call goes through :func:`perform`. A refused transition raises a
:class:`TransitionError` (typed: :class:`NotAllowed`, :class:`WrongState`, :class:`Invalid`,
:class:`Stale`) with a message for the user and changes nothing.

``engine`` runs the machine; ``transitions`` (acceptance, dispatch), ``handling``, ``rating`` and
``oversight`` (supervision, disclosure) declare the actions; ``fields`` is what they accept.
"""

from datetime import datetime

from supervise.domain.workflow.engine import (
    TRANSITIONS,
    Context,
    Step,
    Transition,
    allowed,
    available_actions,
    claim,
    event_recorded,
    perform,
    record,
)
from supervise.domain.workflow.errors import (
    Invalid,
    NotAllowed,
    Stale,
    StaleTicket,
    TransitionError,
    WrongState,
)
from supervise.domain.workflow.fields import Param

# Importing a module registers its transitions; TRANSITIONS (and so available_actions) keeps this order.
from supervise.domain.workflow import transitions, handling, rating  # isort: skip  # noqa: F401
from supervise.domain.workflow.oversight import ORDER_LEVELS, awaiting_publication, result_awaiting_publication

from supervise.domain.workflow import forwarding  # isort: skip  # noqa: F401  (after oversight)
from supervise.domain.workflow.transitions import DECLINE_REASONS
from supervise.models import State, Ticket, TicketEvent, User

__all__ = [
    "DECLINE_REASONS",
    "ORDER_LEVELS",
    "TRANSITIONS",
    "Context",
    "Invalid",
    "NotAllowed",
    "Param",
    "Stale",
    "StaleTicket",
    "Step",
    "Transition",
    "TransitionError",
    "WrongState",
    "allowed",
    "available_actions",
    "awaiting_publication",
    "claim",
    "event_recorded",
    "perform",
    "record",
    "record_submission",
    "result_awaiting_publication",
]


def record_submission(ticket: Ticket, actor: User | None, at: datetime) -> TicketEvent:
    """The first event of every ticket; called by intake."""
    return record(ticket, "submit", actor, None, State.SUBMITTED, at, public=True, data={"source": ticket.source.value})
