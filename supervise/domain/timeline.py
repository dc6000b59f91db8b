"""What the timeline shows: each event's label, which events the enterprise sees, and the alerts the
periodic supervision writes on it (they are not transitions)."""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from supervise.domain.workflow import TRANSITIONS, record
from supervise.models import Ticket, TicketEvent

ALERT_LABELS = {
    "yellow": _l("Warning: due within two working days"),
    "orange": _l("Warning: overdue"),
    "red": _l("Serious warning: long overdue"),
    "sign_overdue": _l("Not signed for in time"),
    "accept_overdue": _l("Not accepted in time"),
    "order_overdue": _l("Supervision order not answered in time"),
    "rating_reminder": _l("Reminder to rate"),
    "monthly_report": _l("Monthly progress report due"),
}
# Events that are neither transitions nor alerts.
OTHER_LABELS = {
    "merged_from": _l("Another ticket merged into this one"),
    "merged_reply": _l("Reply to the complaint this one was merged into"),
    "merged_reopened": _l("The complaint this one was merged into is handled again"),
    "forward_received": _l("Received by the other zone's platform"),
    "forward_update": _l("Update from the other zone's platform"),
    "due_moved": _l("Due date adjusted for the holiday calendar"),
}
# Alerts shown on the public timeline: the warning colours are public accountability.
PUBLIC_ALERTS = frozenset({"orange", "red"})
# Alerts the enterprise sees on its own ticket besides the public ones.
ENTERPRISE_ALERTS = frozenset({"rating_reminder"})
# Other events the enterprise sees on its own ticket: the reply and a reopen passed on to a merged complaint.
ENTERPRISE_OTHER = frozenset({"merged_reply", "merged_reopened"})


def record_alert(ticket: Ticket, kind: str, at: datetime, note: str = "", data: dict | None = None) -> TicketEvent:
    """A warning or reminder from the periodic supervision, on the timeline (not a transition)."""
    return record(
        ticket, f"alert_{kind}", None, ticket.state, ticket.state, at, note, public=kind in PUBLIC_ALERTS, data=data
    )


def visible_to_enterprise(event: TicketEvent) -> bool:
    """Whether the enterprise sees ``event`` on its own ticket: public events, the submission, the
    transitions declared ``enterprise_sees``, and the reminders meant for it."""
    if event.public or event.action == "submit" or event.action in ENTERPRISE_OTHER:
        return True
    if event.action.startswith("alert_"):
        return event.action[6:] in ENTERPRISE_ALERTS
    spec = TRANSITIONS.get(event.action)
    return spec is not None and spec.enterprise_sees


def label(action: str) -> Any:
    """The timeline's name for an event's action."""
    if action == "submit":
        return _l("Submitted")
    if action in OTHER_LABELS:
        return OTHER_LABELS[action]
    if action.startswith("alert_"):
        return ALERT_LABELS.get(action[6:], action)
    spec = TRANSITIONS.get(action)
    return spec.label if spec else action
