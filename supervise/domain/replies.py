"""Which replies were sent: a unit's reply reaches the enterprise only once the supervisor approves it
(a reply sent back stays internal). The attachment rules and the result's publication both ask here."""

from supervise.models import Attachment, Ticket


def sent_reply_ids(ticket: Ticket) -> set[int]:
    """The ids of ``ticket``'s reply events that the supervisor approved, every round (a reopened ticket
    keeps the replies it was sent before)."""
    sent: set[int] = set()
    pending = None
    for event in ticket.events:
        if event.action == "reply":
            pending = event
        elif event.action == "send_back":
            pending = None
        elif event.action == "approve_reply" and pending is not None:
            sent.add(pending.id)
            pending = None
    return sent


def is_reply_file(attachment: Attachment) -> bool:
    """Was ``attachment`` uploaded with a unit's reply?"""
    return attachment.event is not None and attachment.event.action == "reply"


def sent_reply_files(ticket: Ticket) -> list[Attachment]:
    """The files of ``ticket``'s approved replies."""
    sent = sent_reply_ids(ticket)
    return [a for a in ticket.attachments if is_reply_file(a) and a.event_id in sent]
