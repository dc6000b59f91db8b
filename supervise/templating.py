"""Jinja filters and globals: labels, dates, warning colours, and the state machine's answers."""

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from supervise import labels
from supervise.domain import deadlines, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now


def _dt(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return format_datetime(value, fmt, rebase=False) if value else ""


def _d(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value.date() if isinstance(value, datetime) else value, "yyyy-MM-dd")


def ticket_warning(ticket) -> str | None:
    """The warning colour of the clock now running on ``ticket`` (None when none or when paused)."""
    from supervise.models import State

    cal = load_calendar()
    at = now()
    if ticket.state == State.SUBMITTED:
        return deadlines.warning_level(cal, ticket.accept_due, deadlines.ACCEPT_DAYS, at)
    if ticket.state in (State.DISPATCHED, State.IN_PROGRESS, State.RETURNED):
        return deadlines.warning_level(cal, ticket.handle_due, ticket.handle_days, at)
    return None


def register(app: Flask) -> None:
    app.jinja_env.filters.update(dt=_dt, d=_d)
    app.jinja_env.globals.update(
        labels=labels,
        get_locale=get_locale,
        state_label=lambda s: labels.STATE.get(s, s),
        action_label=workflow.label,
        decline_reasons=workflow.DECLINE_REASONS,
        order_levels=workflow.ORDER_LEVELS,
        ticket_warning=ticket_warning,
        now=now,
    )

    @app.context_processor
    def inject_user_helpers():
        def can(action: str, ticket) -> bool:
            return workflow.allowed(current_user, ticket, action)

        def unread_notifications() -> int:
            from supervise.notifications.routes import unread_count

            return unread_count(current_user) if current_user.is_authenticated else 0

        return {"can": can, "zone_name": app.config["ZONE_NAME"], "unread_notifications": unread_notifications}
