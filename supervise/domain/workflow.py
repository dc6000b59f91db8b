"""The ticket state machine: the one place that lists states, transitions, who may make each,
what each requires, and the timeline event it writes.

Every view, job and API call goes through :func:`perform`. A refused transition raises
:class:`TransitionError` with a message for the user and changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm.attributes import flag_modified

from supervise.domain import clocks, deadlines, routing
from supervise.domain.access import parties
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.domain.clock import now as clock_now
from supervise.domain.clocks import OPEN_STATES, PUBLISHABLE
from supervise.extensions import db
from supervise.models import (
    ExtensionRequest,
    LimitClass,
    Outcome,
    Rating,
    RedactionTerm,
    State,
    SupervisionOrder,
    Ticket,
    TicketEvent,
    Unit,
    User,
)
from supervise.params import parse_id

S = State

# Reasons a complaint may be declined (不予受理); published on the rules page.
DECLINE_REASONS = {
    "litigation": _l("The matter is before a court or arbitration"),
    "petition": _l("The matter is being handled as a petition (信访) case"),
    "repeat": _l("A repeat of an earlier complaint without new facts"),
    "out_of_scope": _l("Outside the scope of business-environment complaints"),
    "unverifiable": _l("Too little information to verify, and the enterprise cannot be reached"),
}
ORDER_LEVELS = {
    "general": _l("General supervision"),
    "key": _l("Key supervision"),
    "listed": _l("Listed supervision"),
}

signals = Namespace()
#: Sent after every event is added to the session (same transaction): ``sender`` is the event.
event_recorded = signals.signal("ticket-event-recorded")


class TransitionError(Exception):
    """A transition that may not happen; ``str(err)`` is a message for the user."""

    def __init__(self, message: Any):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class StaleTicket(TransitionError):
    def __init__(self) -> None:
        super().__init__(_l("Someone else changed this ticket a moment ago. Reload it and try again."))


@dataclass
class Step:
    """What an effect decided: the new state (None: unchanged), the event's note, visibility, data."""

    to: State | None = None
    note: str = ""
    public: bool = False
    data: dict = field(default_factory=dict)


@dataclass
class Context:
    ticket: Ticket
    actor: User | None
    data: dict
    at: datetime
    cal: WorkingCalendar

    def text(self, key: str, message: Any, required: bool = True) -> str:
        value = (self.data.get(key) or "").strip()
        if required and not value:
            raise TransitionError(message)
        return value


@dataclass(frozen=True)
class Transition:
    action: str
    label: Any
    sources: frozenset[State]
    parties: frozenset[str]
    effect: Callable[[Context], Step]
    # Shown to the enterprise on its own ticket (public events always are).
    enterprise_sees: bool = True


TRANSITIONS: dict[str, Transition] = {}


def transition(action: str, label: Any, sources, parties_, enterprise_sees: bool = True):
    def register(effect: Callable[[Context], Step]) -> Callable[[Context], Step]:
        TRANSITIONS[action] = Transition(
            action, label, frozenset(sources), frozenset(parties_), effect, enterprise_sees
        )
        return effect

    return register


# ---------------------------------------------------------------- helpers


def _unit(unit_id: Any) -> Unit:
    ident = parse_id(str(unit_id or ""))
    unit = db.session.get(Unit, ident) if ident else None
    if unit is None or not unit.active:
        raise TransitionError(_l("Choose an active unit to handle the ticket."))
    return unit


def _dispatch_to(ctx: Context, unit: Unit, restart_clock: bool = True) -> dict:
    t = ctx.ticket
    limit = ctx.data.get("limit_class") or t.category.limit_class
    limit = LimitClass(getattr(limit, "value", limit))
    t.limit_class = limit
    t.handle_days = int(ctx.data.get("handle_days") or deadlines.handle_days_for(limit))
    t.lead_unit = unit
    t.co_units = routing.co_units_for(t.category, unit)
    t.dispatched_at = ctx.at
    t.signed_at = None
    t.sign_due = deadlines.due_after(ctx.cal, ctx.at, deadlines.SIGN_DAYS)
    if restart_clock:
        t.handle_due = deadlines.due_after(ctx.cal, ctx.at, t.handle_days)
    return {"unit_id": unit.id, "unit": unit.name, "handle_days": t.handle_days,
            "handle_due": t.handle_due.isoformat(), "co_units": [u.name for u in t.co_units]}


def _parse_date(value: Any, message: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise TransitionError(message) from None


# ---------------------------------------------------------------- acceptance and dispatch


@transition("accept", _l("Accepted"), {S.SUBMITTED}, {"supervisor"})
def _accept(ctx: Context) -> Step:
    t = ctx.ticket
    unit = _unit(ctx.data["unit_id"]) if ctx.data.get("unit_id") else routing.resolve_lead_unit(t.category, t.area_id)
    t.accepted_at = ctx.at
    if unit is None:
        return Step(S.AWAITING_DISPATCH, ctx.text("note", None, required=False), public=True)
    return Step(S.DISPATCHED, ctx.text("note", None, required=False), public=True, data=_dispatch_to(ctx, unit))


@transition("decline", _l("Declined"), {S.SUBMITTED}, {"supervisor"})
def _decline(ctx: Context) -> Step:
    reason = ctx.data.get("reason")
    if reason not in DECLINE_REASONS:
        raise TransitionError(_l("Choose one of the published reasons for declining."))
    ctx.ticket.decline_reason = reason
    ctx.ticket.closed_at = ctx.at
    return Step(S.DECLINED, ctx.text("note", None, required=False), public=True, data={"reason": reason})


@transition("dispatch", _l("Dispatched"), {S.AWAITING_DISPATCH, S.RETURNED, S.DISPATCHED}, {"supervisor"})
def _dispatch(ctx: Context) -> Step:
    return Step(S.DISPATCHED, ctx.text("note", None, required=False), public=True,
                data=_dispatch_to(ctx, _unit(ctx.data.get("unit_id"))))


@transition("reject_return", _l("Return rejected"), {S.RETURNED}, {"supervisor"}, enterprise_sees=False)
def _reject_return(ctx: Context) -> Step:
    note = ctx.text("note", _l("Say why the unit must handle the ticket."))
    t = ctx.ticket
    t.sign_due = deadlines.due_after(ctx.cal, ctx.at, deadlines.SIGN_DAYS)
    return Step(S.DISPATCHED, note, data={"unit": t.lead_unit.name})


@transition("sign", _l("Signed for"), {S.DISPATCHED}, {"unit"})
def _sign(ctx: Context) -> Step:
    ctx.ticket.signed_at = ctx.at
    return Step(S.IN_PROGRESS, public=True, data={"on_time": ctx.at <= ctx.ticket.sign_due})


@transition("return", _l("Returned by the unit"), {S.DISPATCHED}, {"unit"}, enterprise_sees=False)
def _return(ctx: Context) -> Step:
    reason = ctx.text("reason", _l("Give the reason for returning the ticket."))
    basis = ctx.text("basis", _l("Give the basis (the rule or duty list) for returning the ticket."))
    ctx.ticket.return_count += 1
    return Step(S.RETURNED, reason, data={"basis": basis, "unit": ctx.ticket.lead_unit.name})


# ---------------------------------------------------------------- handling


@transition("note", _l("Progress"), {S.IN_PROGRESS, S.AWAITING_MATERIAL}, {"unit", "co_unit"})
def _note(ctx: Context) -> Step:
    note = ctx.text("note", _l("Write the progress note."))
    public = bool(ctx.data.get("public"))
    return Step(None, note, public=public)


@transition("request_extension", _l("Extension requested"), {S.IN_PROGRESS, S.AWAITING_MATERIAL}, {"unit"},
            enterprise_sees=False)
def _request_extension(ctx: Context) -> Step:
    t = ctx.ticket
    if t.pending_extension is not None:
        raise TransitionError(_l("An extension request is already waiting for a decision."))
    new_due = _parse_date(ctx.data.get("new_due"), _l("Give the new due date."))
    if t.handle_due and new_due <= t.handle_due.date():
        raise TransitionError(_l("The new due date must be later than the current one."))
    if not ctx.cal.is_working_day(new_due):
        raise TransitionError(_l("The new due date must be a working day."))
    reason = ctx.text("reason", _l("Give the reason for the extension."))
    t.extension_requests.append(ExtensionRequest(requested_due=new_due, reason=reason, status="pending",
                                                 requested_by_id=ctx.actor.id, created_at=ctx.at))
    return Step(None, reason, data={"new_due": new_due.isoformat()})


def _decide_extension(ctx: Context, granted: bool) -> Step:
    request = ctx.ticket.pending_extension
    if request is None:
        raise TransitionError(_l("There is no extension request waiting for a decision."))
    note = ctx.text("note", _l("Say why the extension is refused."), required=not granted)
    request.status = "granted" if granted else "refused"
    request.decided_by_id = ctx.actor.id
    request.decided_at = ctx.at
    request.decision_note = note
    if granted:
        ctx.ticket.handle_due = deadlines.end_of(request.requested_due)
        ctx.ticket.extension_count += 1
    return Step(None, note, public=granted, data={"new_due": request.requested_due.isoformat()})


@transition("grant_extension", _l("Extension granted"), {S.IN_PROGRESS, S.AWAITING_MATERIAL, S.REPLIED},
            {"supervisor"})
def _grant_extension(ctx: Context) -> Step:
    return _decide_extension(ctx, granted=True)


@transition("refuse_extension", _l("Extension refused"), {S.IN_PROGRESS, S.AWAITING_MATERIAL, S.REPLIED},
            {"supervisor"}, enterprise_sees=False)
def _refuse_extension(ctx: Context) -> Step:
    return _decide_extension(ctx, granted=False)


@transition("request_material", _l("Material requested"), {S.IN_PROGRESS}, {"unit"})
def _request_material(ctx: Context) -> Step:
    note = ctx.text("note", _l("Say which material the enterprise should add."))
    ctx.ticket.paused_at = ctx.at
    return Step(S.AWAITING_MATERIAL, note)


@transition("provide_material", _l("Material added"), {S.AWAITING_MATERIAL}, {"enterprise"})
def _provide_material(ctx: Context) -> Step:
    note = ctx.text("note", _l("Describe the material you are adding."))
    t = ctx.ticket
    before = t.handle_due
    if t.paused_at and t.handle_due:
        t.handle_due = deadlines.extend_by_pause(ctx.cal, t.handle_due, t.paused_at, ctx.at)
    t.paused_at = None
    return Step(S.IN_PROGRESS, note, data={
        "paused_days": ctx.cal.working_days_between(before.date(), t.handle_due.date()) if before else 0,
        "handle_due": t.handle_due.isoformat() if t.handle_due else None,
    })


@transition("reply", _l("Replied"), {S.IN_PROGRESS}, {"unit"}, enterprise_sees=False)
def _reply(ctx: Context) -> Step:
    outcome = ctx.data.get("outcome")
    try:
        outcome = Outcome(getattr(outcome, "value", outcome))
    except ValueError:
        raise TransitionError(_l("Choose the outcome: resolved, partly resolved, or explained.")) from None
    text = ctx.text("text", _l("Write the reply to the enterprise."))
    t = ctx.ticket
    t.reply_outcome, t.reply_text, t.replied_at = outcome, text, ctx.at
    clocks.mark_overdue(t, ctx.at)  # judged while still in progress: the reply stops the clock
    return Step(S.REPLIED, text, data={"outcome": outcome.value})


@transition("approve_reply", _l("Reply sent to the enterprise"), {S.REPLIED}, {"supervisor"})
def _approve_reply(ctx: Context) -> Step:
    t = ctx.ticket
    t.approved_at = ctx.at
    t.rate_due = deadlines.rate_due_after(ctx.at)
    return Step(S.AWAITING_RATING, t.reply_text or "", public=True,
                data={"outcome": t.reply_outcome.value if t.reply_outcome else None})


@transition("send_back", _l("Reply sent back to the unit"), {S.REPLIED}, {"supervisor"}, enterprise_sees=False)
def _send_back(ctx: Context) -> Step:
    return Step(S.IN_PROGRESS, ctx.text("note", _l("Say what the reply lacks.")))


# ---------------------------------------------------------------- rating


@transition("rate", _l("Rated"), {S.AWAITING_RATING}, {"enterprise"})
def _rate(ctx: Context) -> Step:
    try:
        rating = Rating(int(ctx.data.get("rating")))
    except (TypeError, ValueError):
        raise TransitionError(_l("Choose a rating.")) from None
    solved = ctx.data.get("solved")
    if solved not in (True, False):
        raise TransitionError(_l("Say whether the problem was solved."))
    t = ctx.ticket
    t.rating, t.rating_solved, t.rated_at = rating, solved, ctx.at
    t.rating_comment = ctx.text("comment", None, required=False)
    if rating.is_bad:
        return Step(S.RATING_REVIEW, t.rating_comment, public=True, data={"rating": rating.value, "solved": solved})
    t.closed_at = ctx.at
    return Step(S.CLOSED, t.rating_comment, public=True, data={"rating": rating.value, "solved": solved})


@transition("reopen", _l("Reopened for re-handling"), {S.RATING_REVIEW}, {"supervisor"})
def _reopen(ctx: Context) -> Step:
    note = ctx.text("note", _l("Say what the unit must handle again."))
    t = ctx.ticket
    days = int(ctx.data.get("handle_days") or t.handle_days)
    t.reopen_count += 1
    t.handle_due = deadlines.due_after(ctx.cal, ctx.at, days)
    t.rating = t.rating_solved = t.rated_at = t.rating_comment = None
    t.replied_at = t.approved_at = t.rate_due = None
    return Step(S.IN_PROGRESS, note, public=True, data={"handle_due": t.handle_due.isoformat()})


@transition("uphold", _l("Unit's appeal upheld"), {S.RATING_REVIEW}, {"supervisor"})
def _uphold(ctx: Context) -> Step:
    note = ctx.text("note", _l("Give the reason for upholding the unit's appeal."))
    ctx.ticket.closed_at = ctx.at
    return Step(S.CLOSED, note, public=True)


@transition("close_unrated", _l("Closed without rating"), {S.AWAITING_RATING}, {"system", "supervisor"})
def _close_unrated(ctx: Context) -> Step:
    t = ctx.ticket
    if not clocks.rating_time_over(t, ctx.at):
        raise TransitionError(_l("The enterprise still has time to rate this ticket."))
    t.closed_at = ctx.at
    return Step(S.CLOSED, public=True)


# ---------------------------------------------------------------- supervision


@transition("issue_order", _l("Supervision order issued"), OPEN_STATES, {"supervisor"})
def _issue_order(ctx: Context) -> Step:
    level = ctx.data.get("level")
    if level not in ORDER_LEVELS:
        raise TransitionError(_l("Choose the level of supervision."))
    deadline = _parse_date(ctx.data.get("deadline"), _l("Give the date by which the unit must answer."))
    if deadline < ctx.at.date():
        raise TransitionError(_l("The answer date cannot be in the past."))
    note = ctx.text("note", _l("Say what the unit must do."))
    ctx.ticket.supervision_orders.append(SupervisionOrder(level=level, deadline=deadline, note=note,
                                                          issued_by_id=ctx.actor.id, issued_at=ctx.at))
    return Step(None, note, public=True, data={"level": level, "deadline": deadline.isoformat()})


@transition("answer_order", _l("Supervision order answered"), OPEN_STATES, {"unit"})
def _answer_order(ctx: Context) -> Step:
    orders = ctx.ticket.open_orders
    if not orders:
        raise TransitionError(_l("There is no supervision order waiting for an answer."))
    text = ctx.text("text", _l("Write the answer to the supervision order."))
    order = orders[0]
    order.answer, order.answered_by_id, order.answered_at = text, ctx.actor.id, ctx.at
    return Step(None, text, data={"order_id": order.id, "on_time": ctx.at.date() <= order.deadline})


@transition("merge", _l("Merged into another ticket"), OPEN_STATES, {"supervisor"})
def _merge(ctx: Context) -> Step:
    t = ctx.ticket
    number = (ctx.data.get("into") or "").strip()
    target = db.session.scalar(select(Ticket).where(Ticket.tracking_no == number)) if number else None
    if target is None or target.id == t.id or target.state not in OPEN_STATES:
        raise TransitionError(_l("Give the tracking number of another open ticket to merge into."))
    clocks.mark_overdue(t, ctx.at)  # judged before the merge stops every clock
    t.merged_into = target
    t.closed_at = ctx.at
    _claim(target)
    _record(target, "merged_from", ctx.actor, target.state, target.state, ctx.at,
            note=ctx.text("note", None, required=False), data={"tracking_no": t.tracking_no})
    return Step(S.MERGED, ctx.text("note", None, required=False), public=True,
                data={"into": target.tracking_no})


# ---------------------------------------------------------------- disclosure

def awaiting_publication() -> ColumnElement[bool]:
    """Tickets the supervisor may publish and has not: the enterprise agreed and the ticket was accepted
    (the same rule as the ``publish`` transition, as a WHERE clause for the console's queue)."""
    return and_(Ticket.publish_consent.is_(True), Ticket.published_at.is_(None), Ticket.state.in_(PUBLISHABLE))


def result_awaiting_publication() -> ColumnElement[bool]:
    """Closed, published tickets whose result is not published yet (``publish_result``)."""
    return and_(Ticket.state == S.CLOSED, Ticket.published_at.is_not(None), Ticket.result_published_at.is_(None))



@transition("publish", _l("Problem published"), PUBLISHABLE, {"supervisor"}, enterprise_sees=True)
def _publish(ctx: Context) -> Step:
    t = ctx.ticket
    if not t.publish_consent:
        raise TransitionError(_l("The enterprise did not agree to publish this complaint."))
    title = ctx.text("public_title", _l("Write the public title."))
    t.public_summary = ctx.text("public_summary", _l("Write the public summary of the problem."))
    t.public_title = title
    first = t.published_at is None
    t.published_at = t.published_at or ctx.at
    return Step(None, public=first, data={"republished": not first})


@transition("publish_result", _l("Result published"), {S.CLOSED}, {"supervisor"})
def _publish_result(ctx: Context) -> Step:
    t = ctx.ticket
    if t.published_at is None:
        raise TransitionError(_l("Publish the problem before its result."))
    t.public_reply = ctx.text("public_reply", _l("Write the public summary of the result."))
    first = t.result_published_at is None
    t.result_published_at = t.result_published_at or ctx.at
    return Step(None, public=first, data={"republished": not first})


@transition("unpublish", _l("Withdrawn from the public pages"), frozenset(State), {"supervisor"},
            enterprise_sees=False)
def _unpublish(ctx: Context) -> Step:
    t = ctx.ticket
    if t.published_at is None:
        raise TransitionError(_l("This ticket is not published."))
    t.published_at = t.result_published_at = None
    return Step(None, ctx.text("note", _l("Say why the ticket is withdrawn.")))


@transition("add_redaction_term", _l("Redaction term added"), frozenset(State), {"supervisor"},
            enterprise_sees=False)
def _add_redaction_term(ctx: Context) -> Step:
    term = ctx.text("term", _l("Give the word to mask on the public pages."))
    if len(term) > 100:
        raise TransitionError(_l("A redaction term has at most 100 characters."))
    ctx.ticket.redaction_terms.append(RedactionTerm(term=term, added_by_id=ctx.actor.id))
    return Step(None)


# ---------------------------------------------------------------- the engine


def allowed(user: User | None, ticket: Ticket, action: str) -> bool:
    """May ``user`` make ``action`` on ``ticket`` now (state and role, not the data)?"""
    t = TRANSITIONS.get(action)
    return t is not None and ticket.state in t.sources and bool(parties(user, ticket) & t.parties)


def available_actions(user: User | None, ticket: Ticket) -> list[str]:
    mine = parties(user, ticket)
    return [a for a, t in TRANSITIONS.items() if ticket.state in t.sources and mine & t.parties]


def perform(ticket: Ticket, action: str, actor: User | None, *, expected_version: int | None = None,
            at: datetime | None = None, **data: Any) -> TicketEvent:
    """Make ``action`` on ``ticket`` as ``actor`` (None: the system) and record it on the timeline.

    Adds to the session and does not commit. Raises :class:`TransitionError` (nothing changed) when
    the action is unknown, not allowed in this state or to this actor, or lacks what it requires;
    :class:`StaleTicket` when ``expected_version`` shows the actor acted on an outdated page.
    """
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise TransitionError(_l("Unknown action."))
    if expected_version is not None and int(expected_version) != ticket.version:
        raise StaleTicket()
    if ticket.state not in spec.sources:
        raise TransitionError(_l("This ticket is no longer in a state where that can be done."))
    if not parties(actor, ticket) & spec.parties:
        raise TransitionError(_l("You may not do that on this ticket."))

    at = at or clock_now()
    ctx = Context(ticket, actor, data, at, load_calendar())
    before = ticket.state
    with db.session.no_autoflush:
        step = spec.effect(ctx)
    if step.to is not None:
        ticket.state = step.to
    _claim(ticket)
    return _record(ticket, action, actor, before, ticket.state, at, step.note, step.public, step.data)


def _claim(ticket: Ticket) -> None:
    """Mark the row changed so its version is checked and bumped on flush: of two concurrent
    actions on one ticket, the second is refused (StaleDataError), never merged."""
    flag_modified(ticket, "state")


def _record(ticket: Ticket, action: str, actor: User | None, before: State | None, after: State | None,
            at: datetime, note: str = "", public: bool = False, data: dict | None = None) -> TicketEvent:
    event = TicketEvent(action=action, actor=actor, from_state=before, to_state=after, at=at,
                        note=note or "", public=public, data=data or None)
    ticket.events.append(event)
    event_recorded.send(event)
    return event


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
# Alerts shown on the public timeline: the warning colours are public accountability.
PUBLIC_ALERTS = frozenset({"orange", "red"})


def record_alert(ticket: Ticket, kind: str, at: datetime, note: str = "", data: dict | None = None) -> TicketEvent:
    """A warning or reminder from the periodic supervision, on the timeline (not a transition)."""
    return _record(ticket, f"alert_{kind}", None, ticket.state, ticket.state, at, note,
                   public=kind in PUBLIC_ALERTS, data=data)


def record_submission(ticket: Ticket, actor: User | None, at: datetime) -> TicketEvent:
    """The first event of every ticket; called by intake."""
    return _record(ticket, "submit", actor, None, S.SUBMITTED, at, public=True,
                   data={"source": ticket.source.value})


def visible_to_enterprise(event: TicketEvent) -> bool:
    if event.public:
        return True
    spec = TRANSITIONS.get(event.action)
    if event.action == "note" or event.action.startswith("alert_"):
        return event.action == "alert_rating_reminder"
    return event.action == "submit" or (spec is not None and spec.enterprise_sees)


def label(action: str) -> Any:
    if action == "submit":
        return _l("Submitted")
    if action == "merged_from":
        return _l("Another ticket merged into this one")
    if action.startswith("alert_"):
        return ALERT_LABELS.get(action[6:], action)
    spec = TRANSITIONS.get(action)
    return spec.label if spec else action
