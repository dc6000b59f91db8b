"""Periodic supervision rules: warnings, escalation, reminders and the unrated close.

Each function takes the moment to judge (``at``) and is safe to run any number of times: an alert is
recorded once per ticket, kind and deadline (``ticket_alerts`` is unique on them), and each recorded
alert writes one timeline event, which notifies its audience (``domain.notify``).
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from supervise.domain import clocks, deadlines, timeline, workflow
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.extensions import db
from supervise.models import State, SupervisionOrder, Ticket, TicketAlert, TicketEvent, month_key

MONTHLY_REPORT_DAY = 5
MONTHLY_REPORT_AGE = timedelta(days=30)
RATING_REMINDER_BEFORE = timedelta(days=2)


def raise_alert(
    ticket: Ticket, kind: str, due_key: str, at: datetime, note: str = "", data: dict | None = None
) -> bool:
    """Record ``kind`` for ``ticket`` and its deadline once; False when it was raised before."""
    savepoint = db.session.begin_nested()
    try:
        db.session.add(TicketAlert(ticket_id=ticket.id, kind=kind, due_key=due_key, raised_at=at))
        db.session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        return False
    # An alert is not an action on the ticket: it must not make a user's concurrent action stale.
    timeline.record_alert(ticket, kind, at, note, {"due": due_key, **(data or {})})
    return True


def handling_warnings(at: datetime, cal: WorkingCalendar | None = None) -> int:
    """Yellow, orange and red on the handling deadline; the first overdue moment is kept on the ticket."""
    cal = cal or load_calendar()
    tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.state.in_(clocks.HANDLING), Ticket.handle_due < clocks.yellow_horizon(cal, at))
        .order_by(Ticket.id)
    )
    raised = 0
    for ticket in tickets:
        level = deadlines.warning_level(cal, ticket.handle_due, ticket.handle_days, at)
        if level is None:
            continue
        clocks.mark_overdue(ticket, at)
        raised += raise_alert(ticket, level, ticket.handle_due.isoformat(), at)
    return raised


def deadline_alerts(at: datetime) -> int:
    """Acceptance and signing deadlines missed, and supervision orders not answered in time."""
    raised = 0
    late_accept = select(Ticket).where(clocks.ACCEPT.late_clause(at))
    for ticket in db.session.scalars(late_accept):
        raised += raise_alert(ticket, "accept_overdue", ticket.accept_due.isoformat(), at)
    late_sign = select(Ticket).where(clocks.SIGN.late_clause(at))
    for ticket in db.session.scalars(late_sign):
        raised += raise_alert(ticket, "sign_overdue", ticket.sign_due.isoformat(), at)
    late_orders = (
        select(SupervisionOrder)
        .where(SupervisionOrder.answered_at.is_(None), SupervisionOrder.deadline < at.date())
        .options(selectinload(SupervisionOrder.ticket))
    )
    for order in db.session.scalars(late_orders):
        if order.ticket.state in clocks.OPEN_STATES:
            raised += raise_alert(
                order.ticket,
                "order_overdue",
                f"{order.id}:{order.deadline}",
                at,
                data={"due": order.deadline.isoformat()},
            )
    return raised


def monthly_report_reminders(at: datetime) -> int:
    """From the 5th of each month: tickets open for more than a month must report progress."""
    if at.day < MONTHLY_REPORT_DAY:
        return 0
    month = month_key(at.date())
    old = select(Ticket).where(Ticket.state.in_(clocks.WITH_THE_UNIT), Ticket.dispatched_at < at - MONTHLY_REPORT_AGE)
    return sum(raise_alert(t, "monthly_report", month, at) for t in db.session.scalars(old))


def record_progress_report(event: TicketEvent) -> None:
    """A unit's progress note answers this month's report reminder: keep who reported and when."""
    alert = db.session.scalar(
        select(TicketAlert).where(
            TicketAlert.ticket_id == event.ticket.id,
            TicketAlert.kind == "monthly_report",
            TicketAlert.due_key == month_key(event.at.date()),
            TicketAlert.resolved_at.is_(None),
        )
    )
    if alert is not None:
        alert.resolved_at = event.at
        alert.resolved_by_id = event.actor.id if event.actor else None


def rating_reminders_and_unrated_close(at: datetime) -> tuple[int, int]:
    """Remind the enterprise two days before the rating is due; close unrated once it is overdue."""
    reminded = closed = 0
    waiting = select(Ticket).where(
        Ticket.state == State.AWAITING_RATING,
        Ticket.rate_due.is_not(None),
        Ticket.rate_due <= at + RATING_REMINDER_BEFORE,
    )
    for ticket in db.session.scalars(waiting).all():
        if clocks.rating_time_over(ticket, at):
            workflow.perform(ticket, "close_unrated", None, at=at)
            closed += 1
        else:
            reminded += raise_alert(ticket, "rating_reminder", ticket.rate_due.isoformat(), at)
    return reminded, closed


def refresh_overdue_flags(at: datetime) -> int:
    """Nightly: keep ``overdue_at`` right for every ticket whose handling deadline passed unanswered."""
    rows = db.session.scalars(select(Ticket).where(Ticket.overdue_at.is_(None), clocks.overdue_clause(at))).all()
    return sum(clocks.mark_overdue(ticket, at) for ticket in rows)


def on_event_recorded(event: TicketEvent) -> None:
    """A unit's progress note is its progress report for the month (a receiver of
    :data:`workflow.event_recorded`)."""
    if event.action == "note" and event.actor is not None and event.actor.is_unit_staff:
        record_progress_report(event)
