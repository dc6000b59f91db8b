"""The machine that runs the transitions: their registry, the declaration each carries, and
:func:`perform`, the one road by which a ticket changes state (views, API, jobs and seed alike)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified

from supervise import times
from supervise.domain.access import parties
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.domain.clock import now as clock_now
from supervise.domain.workflow.errors import Invalid, NotAllowed, Stale, WrongState
from supervise.domain.workflow.fields import Param
from supervise.extensions import db
from supervise.models import State, Ticket, TicketEvent, User

signals = Namespace()
#: Sent after every event is added to the session (same transaction): ``sender`` is the event.
event_recorded = signals.signal("ticket-event-recorded")

#: Who may be told about an event (see ``notify``): "filer" is the complaint's own contact.
AUDIENCES = frozenset({"supervisors", "unit", "handlers", "enterprise", "filer"})
#: The parties an actor may have on a ticket (see ``access.parties``).
PARTIES = frozenset({"supervisor", "unit", "co_unit", "enterprise", "system"})


@dataclass
class Step:
    """What an effect decided: the new state (None: unchanged), the event's note, visibility, data."""

    to: State | None = None
    note: str = ""
    public: bool = False
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    """One action: where it may start, who may make it, what it accepts, and what follows from it."""

    action: str
    label: Any  # the timeline's name for the event
    sources: frozenset[State]
    parties: frozenset[str]
    effect: Callable[["Context"], Step]
    fields: tuple[Param, ...]
    audience: tuple[str, ...]  # who is told (``notify``)
    refresh_search: bool  # the event may change the ticket's search document
    enterprise_sees: bool  # shown to the enterprise on its own ticket (public events always are)

    def param(self, name: str) -> Param:
        """The declared field ``name`` (an effect reads only what its transition declares)."""
        for p in self.fields:
            if p.name == name:
                return p
        raise KeyError(f"{self.action} does not declare the field {name!r}")


TRANSITIONS: dict[str, Transition] = {}


def transition(
    action: str,
    label: Any,
    sources,
    parties_,
    *,
    fields: tuple[Param, ...],
    audience: tuple[str, ...],
    refresh_search: bool,
    enterprise_sees: bool,
):
    """Register the decorated effect as ``action``, with everything the channels need to know of it."""
    if set(audience) - AUDIENCES or set(parties_) - PARTIES:
        raise ValueError(f"{action}: unknown audience or party")

    def register(effect: Callable[[Context], Step]) -> Callable[[Context], Step]:
        TRANSITIONS[action] = Transition(
            action,
            label,
            frozenset(sources),
            frozenset(parties_),
            effect,
            tuple(fields),
            tuple(audience),
            refresh_search,
            enterprise_sees,
        )
        return effect

    return register


@dataclass
class Context:
    """What an effect works with; its readers refuse a missing or unusable value with the message the
    transition declared for that field."""

    ticket: Ticket
    actor: User | None
    data: dict
    at: datetime
    cal: WorkingCalendar
    spec: Transition

    def refuse(self, name: str, message: Any = None) -> Invalid:
        """The error for field ``name`` ("" for none in particular): its declared message unless another
        is given."""
        return Invalid(message or self.spec.param(name).message, field=name)

    def text(self, name: str) -> str:
        value = (self.data.get(name) or "").strip()
        if self.spec.param(name).required and not value:
            raise self.refuse(name)
        return value

    def date(self, name: str) -> date:
        value = self.data.get(name)
        day = value if isinstance(value, date) else times.parse_date(value)
        if day is None:
            raise self.refuse(name)
        return day


# ---------------------------------------------------------------- the engine


def allowed(user: User | None, ticket: Ticket, action: str) -> bool:
    """May ``user`` make ``action`` on ``ticket`` now (state and role, not the data)?"""
    t = TRANSITIONS.get(action)
    return t is not None and ticket.state in t.sources and bool(parties(user, ticket) & t.parties)


def available_actions(user: User | None, ticket: Ticket) -> list[str]:
    mine = parties(user, ticket)
    return [a for a, t in TRANSITIONS.items() if ticket.state in t.sources and mine & t.parties]


def perform(
    ticket: Ticket,
    action: str,
    actor: User | None,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
    **data: Any,
) -> TicketEvent:
    """Make ``action`` on ``ticket`` as ``actor`` (None: the system) and record it on the timeline.

    Adds to the session and does not commit. Nothing changes when it raises: :class:`Stale` when
    ``expected_version`` shows the actor acted on an outdated page, :class:`WrongState` when the ticket
    is not in a state for the action, :class:`NotAllowed` when the actor has no part that may make it
    (or the action is unknown), :class:`Invalid` when the data lacks what the action requires.
    """
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise NotAllowed(_l("Unknown action."))
    if expected_version is not None and int(expected_version) != ticket.version:
        raise Stale()
    if ticket.state not in spec.sources:
        raise WrongState()
    if not parties(actor, ticket) & spec.parties:
        raise NotAllowed()

    at = at or clock_now()
    ctx = Context(ticket, actor, data, at, load_calendar(), spec)
    before = ticket.state
    with db.session.no_autoflush:
        step = spec.effect(ctx)
    if step.to is not None:
        ticket.state = step.to
    claim(ticket)
    return record(ticket, action, actor, before, ticket.state, at, step.note, step.public, step.data)


def claim(ticket: Ticket) -> None:
    """Mark the row changed so its version is checked and bumped on flush: of two concurrent
    actions on one ticket, the second is refused (StaleDataError), never merged."""
    flag_modified(ticket, "state")


def record(
    ticket: Ticket,
    action: str,
    actor: User | None,
    before: State | None,
    after: State | None,
    at: datetime,
    note: str = "",
    public: bool = False,
    data: dict | None = None,
) -> TicketEvent:
    """Add an event to the ticket's timeline and tell the subscribers (same transaction)."""
    event = TicketEvent(
        action=action,
        actor=actor,
        from_state=before,
        to_state=after,
        at=at,
        note=note or "",
        public=public,
        data=data or None,
    )
    # Through the event's side: the backref appends to ``ticket.events`` if it is loaded and queues the
    # append if not, so recording an event never loads the ticket's whole timeline. (A backref does not
    # cascade into the session: the event is added to it here.)
    event.ticket = ticket
    db.session.add(event)
    event_recorded.send(event)
    return event
