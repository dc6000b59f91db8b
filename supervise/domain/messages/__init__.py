"""What each message says: one renderer per kind of event, in one place.

:mod:`supervise.domain.notify` decides who is told and on which channels; it calls :func:`render` in
the recipient's language (Chinese by default) for each of them. A renderer takes the ticket (as the
event left it), the event and the :class:`Reader`, and returns the subject and the body: written for a
person — dates as people write them (2026年11月17日), the unit's name, the deadline, the next step —
never a raw key or an ISO time. An event kind without a renderer of its own gets :func:`generic`.

A new kind of message (another module's events) registers its renderer with :func:`renders`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from supervise import times
from supervise.links import absolute
from supervise.models import Ticket, TicketEvent

#: The sides a reader may be on: the complaining company, the handling unit, the office.
ENTERPRISE, UNIT, SUPERVISOR = "enterprise", "unit", "supervisor"


@dataclass(frozen=True)
class Reader:
    """Who reads the message: their ``side``, and whether they are the complaint's contact without an
    account (then the message says how to look the complaint up)."""

    side: str
    contact: bool = False


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


Renderer = Callable[[Ticket, TicketEvent, Reader], Text]
RENDERERS: dict[str, Renderer] = {}


def renders(*actions: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer of events of ``actions``."""

    def register(renderer: Renderer) -> Renderer:
        for action in actions:
            if action in RENDERERS:
                raise ValueError(f"{action} has a renderer already")
            RENDERERS[action] = renderer
        return renderer

    return register


def render(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    """The message about ``event`` for ``reader``, in the current language."""
    text = RENDERERS.get(event.action, generic)(ticket, event, reader)
    if reader.contact:
        return Text(text.subject, text.body + "\n" + lookup_hint(ticket))
    return text


# ---------------------------------------------------------------- the pieces every message uses


def subject(ticket: Ticket, what: str) -> str:
    """A subject line: what happened, then the ticket."""
    return _("[%(what)s] %(no)s %(title)s", what=what, no=ticket.tracking_no, title=ticket.title)


def about(ticket: Ticket) -> str:
    """The ticket named in a sentence: its title and tracking number."""
    return _("“%(title)s” (No. %(no)s)", title=ticket.title, no=ticket.tracking_no)


def unit_name(ticket: Ticket) -> str:
    """The lead unit's name, or the office while no unit has the ticket."""
    if ticket.lead_unit is not None:
        return ticket.lead_unit.name
    return _("the business-environment office")


def day(value) -> str:
    """A date as people write it (2026年11月17日)."""
    return times.written_day(value)


def due(value) -> str:
    """A deadline as people write it: the day, with the minute when it is not the day's end."""
    return times.written_due(value) or _("no deadline")


def lines(*parts: str | None) -> str:
    """The body: the parts that are not empty, one per line."""
    return "\n".join(part for part in parts if part)


def note_line(event: TicketEvent, label: str | None = None) -> str:
    """The event's note as a line of the message ("" without a note)."""
    note = (event.note or "").strip()
    if not note:
        return ""
    return _("%(label)s: %(note)s", label=label or _("Note"), note=note)


def lookup_hint(ticket: Ticket) -> str:
    """For the complaint's contact, who may have no account: how to look the complaint up."""
    return _(
        "Tracking number %(no)s, retrieval code %(code)s: look up its progress at %(url)s.",
        no=ticket.tracking_no,
        code=ticket.retrieval_code,
        url=absolute("/lookup"),
    )


def generic(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    """An event without a renderer of its own: what happened, and the note."""
    from supervise.domain.timeline import label

    what = str(label(event.action))
    return Text(
        subject(ticket, what), lines(_("%(about)s: %(what)s.", about=about(ticket), what=what), note_line(event))
    )


# The renderers register themselves.
from supervise.domain.messages import alerts, handling, intake, merging, rating  # noqa: E402,F401
