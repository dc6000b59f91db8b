"""Jinja filters and globals: labels, dates, warning colours, and the state machine's answers."""

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from supervise import labels, sections, times
from supervise.domain import clocks, notify, timeline, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.models import Outcome, Rating

_DETAIL_LABELS = {
    "unit": _l("Unit"),
    "co_units": _l("Co-handling"),
    "handle_due": _l("Handle by"),
    "reason": _l("Reason"),
    "basis": _l("Basis"),
    "new_due": _l("New due date"),
    "outcome": _l("Outcome"),
    "rating": _l("Rating"),
    "solved": _l("Solved"),
    "paused_days": _l("Working days paused"),
    "level": _l("Level"),
    "deadline": _l("Answer by"),
    "into": _l("Merged into"),
    "tracking_no": _l("Ticket"),
    "due": _l("Deadline"),
    "sign_due": _l("Sign by"),
    "accept_due": _l("Accept by"),
}


def event_details(event) -> list[tuple[object, str]]:
    """The facts an event carries besides its note (the unit it went to, the reason chosen, a new date…)."""
    data = getattr(event, "data", None) or {}
    details = []
    for key, label in _DETAIL_LABELS.items():
        value = data.get(key)
        if value in (None, "", []):
            continue
        if key == "reason" and value in workflow.DECLINE_REASONS:
            value = workflow.DECLINE_REASONS[value]
        elif key == "level":
            value = workflow.ORDER_LEVELS.get(value, value)
        elif key == "outcome":
            value = labels.OUTCOME.get(Outcome(value), value)
        elif key == "rating":
            value = labels.RATING.get(Rating(int(value)), value)
        elif key == "solved":
            value = _l("Yes") if value else _l("No")
        elif key == "co_units":
            value = "、".join(value)
        elif key in ("handle_due", "new_due", "deadline", "due", "sign_due", "accept_due") and isinstance(value, str):
            value = times.human_due(value)
        details.append((label, value))
    return details


def register(app: Flask) -> None:
    app.jinja_env.filters.update(dt=times.human, d=times.human_day, month=times.human_month, iso=times.iso)
    app.jinja_env.globals.update(
        labels=labels,
        get_locale=get_locale,
        state_label=lambda s: labels.STATE.get(s, s),
        action_label=timeline.label,
        decline_reasons=workflow.DECLINE_REASONS,
        order_levels=workflow.ORDER_LEVELS,
        ticket_warning=clocks.warning,
        ticket_due=clocks.due_date,
        deadlines_in_force=clocks.deadlines_in_force,
        rating_time_over=clocks.rating_time_over,
        event_details=event_details,
        due_provisional=lambda due: load_calendar().is_provisional(due),
        missing_schedule_year=lambda: load_calendar().next_year_missing(now().date()),
        now=now,
        has_endpoint=sections.has_endpoint,
        public_registers=sections.PUBLIC_REGISTERS,
    )

    @app.context_processor
    def inject_user_helpers():
        def can(action: str, ticket) -> bool:
            return workflow.allowed(current_user, ticket, action)

        def unread_notifications() -> int:
            return notify.unread_count(current_user) if current_user.is_authenticated else 0

        return {"can": can, "zone_name": app.config["ZONE_NAME"], "unread_notifications": unread_notifications}
