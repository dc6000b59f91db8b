"""Everything that runs in the transaction of a timeline event, listed next to the state machine.

:func:`workflow.perform` records every event (the submission included) and sends
:data:`workflow.event_recorded` before the caller commits; the receivers below do their part in that
same transaction, in the order listed: one receiver, :func:`on_event_recorded`, is connected and calls
them in turn (blinker itself calls its receivers in no set order). The session hooks below raise the
public generation in any flush that changes what is public.

A new reaction to events is added here, and to the list in tests/test_architecture.py, not by
connecting a receiver from the module that implements it.
"""

from collections.abc import Callable

from supervise.domain import alerts, co_copies, counts, notify, public_generation, search, supervision
from supervise.domain.measures import cells
from supervise.domain.projects import blockers
from supervise.domain.workflow import event_recorded
from supervise.models import TicketEvent

#: The receivers of :data:`workflow.event_recorded`, in the order they run.
EVENT_RECORDED: tuple[Callable[[TicketEvent], None], ...] = (
    notify.on_event_recorded,  # outbox rows for the event's audience (delivered after the commit)
    supervision.on_event_recorded,  # a unit's progress note counts as its monthly progress report
    search.on_event_recorded,  # the public search document, after an event that changes public texts
    cells.on_event_recorded,  # the measure cells the ticket counts in (and leaves, on re-dispatch) marked dirty
    alerts.on_event_recorded,  # a public event on a published ticket: its followers' e-mail alerts, fanned out by a job
    blockers.on_event_recorded,  # a key project's blocker is cleared when its ticket closes resolved
)

#: SQLAlchemy session hooks of the domain (each idempotent).
SESSION_HOOKS: tuple[Callable[[], None], ...] = (
    public_generation.connect,  # raise the public generation in a flush that changes what is public
    counts.connect,  # the kept ticket counts (per unit and state) follow every flushed ticket change
    co_copies.connect,  # the co-handling rows' copies of state and due date follow every flushed change
)


def on_event_recorded(event: TicketEvent) -> None:
    """Run every reaction to ``event``, in the order of :data:`EVENT_RECORDED`."""
    for receiver in EVENT_RECORDED:
        receiver(event)


def connect_all() -> None:
    """Connect every subscriber (called by ``create_app``). Idempotent: blinker keeps one connection
    per receiver and each session hook checks it is not installed already."""
    event_recorded.connect(on_event_recorded, weak=False)
    for install in SESSION_HOOKS:
        install()
