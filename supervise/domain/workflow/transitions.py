"""The ticket's transitions: for each action, where it may start, who may make it, what it accepts,
who is told, and what it does. The one place that lists them; see ``engine`` for how they run."""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, select

from supervise import labels
from supervise.domain import clocks, deadlines, routing
from supervise.domain.clocks import OPEN_STATES, PUBLISHABLE
from supervise.domain.workflow.engine import Context, Step, claim, record, transition
from supervise.domain.workflow.fields import (
    BOOL,
    CHOICE,
    DATE,
    DATE_YEARS,
    INT,
    NOTE_MAX,
    TEXT,
    TEXT_MAX,
    TEXTAREA,
    UNIT,
    Param,
)
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
    Unit,
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
HANDLE_DAYS_MAX = 90
_DATE_DOC = f"A date, YYYY-MM-DD, in the years {DATE_YEARS[0]}–{DATE_YEARS[1]}."

# ---------------------------------------------------------------- fields several actions share


def _note(message: Any = None, doc: str = "A note on the timeline.") -> Param:
    """A supervisor's note; ``message`` makes it required."""
    return Param("note", TEXTAREA, _l("Note"), required=message is not None, message=message,
                 max_length=NOTE_MAX, doc=doc)


def _unit_text(name: str, label: Any, message: Any, doc: str, description: Any = None) -> Param:
    """A unit's required text."""
    return Param(name, TEXTAREA, label, required=True, message=message, max_length=TEXT_MAX,
                 description=description, doc=doc)


def _handle_days(description: Any, doc: str) -> Param:
    return Param("handle_days", INT, _l("Working days to handle"), min=1, max=HANDLE_DAYS_MAX,
                 description=description, doc=doc)


_CHOOSE_UNIT = _l("Choose an active unit to handle the ticket.")


def _unit(ctx: Context) -> Unit:
    """The unit chosen as lead: one that handles tickets (active, and not the office)."""
    ident = parse_id(str(ctx.data.get("unit_id") or ""))
    unit = db.session.get(Unit, ident) if ident else None
    if unit is None or not unit.handles_tickets:
        raise ctx.refuse("unit_id", _CHOOSE_UNIT)
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


# ---------------------------------------------------------------- acceptance and dispatch


@transition("accept", _l("Accepted"), {S.SUBMITTED}, {"supervisor"}, fields=(
    Param("unit_id", UNIT, _l("Lead unit"), nullable=True, message=_CHOOSE_UNIT,
          description=_l("Leave on “routing decides” to apply the routing rules; "
                         "a complaint no rule fits goes to the dispatch queue."),
          doc="The lead unit (a unit that handles tickets); null or absent lets the routing rules decide."),
    _note(),
), audience=("unit",), refresh_search=True, enterprise_sees=True)
def _accept(ctx: Context) -> Step:
    t = ctx.ticket
    unit = _unit(ctx) if ctx.data.get("unit_id") else routing.resolve_lead_unit(t.category, t.area_id)
    t.accepted_at = ctx.at
    if unit is None:
        return Step(S.AWAITING_DISPATCH, ctx.text("note"), public=True)
    return Step(S.DISPATCHED, ctx.text("note"), public=True, data=_dispatch_to(ctx, unit))


@transition("decline", _l("Declined"), {S.SUBMITTED}, {"supervisor"}, fields=(
    Param("reason", CHOICE, _l("Reason"), required=True, choices=DECLINE_REASONS,
          message=_l("Choose one of the published reasons for declining."),
          doc="One of the published reasons for declining."),
    _note(),
), audience=("enterprise", "filer"), refresh_search=False, enterprise_sees=True)
def _decline(ctx: Context) -> Step:
    reason = ctx.data.get("reason")
    if reason not in DECLINE_REASONS:
        raise ctx.refuse("reason")
    ctx.ticket.decline_reason = reason
    ctx.ticket.closed_at = ctx.at
    return Step(S.DECLINED, ctx.text("note"), public=True, data={"reason": reason})


@transition("dispatch", _l("Dispatched"), {S.AWAITING_DISPATCH, S.RETURNED, S.DISPATCHED}, {"supervisor"}, fields=(
    Param("unit_id", UNIT, _l("Lead unit"), required=True, message=_CHOOSE_UNIT,
          doc="The lead unit (a unit that handles tickets)."),
    Param("limit_class", CHOICE, _l("Time-limit class"),
          choices={k.value: v for k, v in labels.LIMIT_CLASS.items()},
          doc="The time-limit class; absent for the category's."),
    _handle_days(_l("Leave empty to use the time-limit class."),
                 "Working days to handle; empty for the time-limit class's."),
    _note(),
), audience=("unit",), refresh_search=True, enterprise_sees=True)
def _dispatch(ctx: Context) -> Step:
    return Step(S.DISPATCHED, ctx.text("note"), public=True, data=_dispatch_to(ctx, _unit(ctx)))


@transition("reject_return", _l("Return rejected"), {S.RETURNED}, {"supervisor"}, fields=(
    _note(_l("Say why the unit must handle the ticket."), "Why the unit must handle the ticket."),
), audience=("unit",), refresh_search=False, enterprise_sees=False)
def _reject_return(ctx: Context) -> Step:
    note = ctx.text("note")
    t = ctx.ticket
    t.sign_due = deadlines.due_after(ctx.cal, ctx.at, deadlines.SIGN_DAYS)
    return Step(S.DISPATCHED, note, data={"unit": t.lead_unit.name})


@transition("sign", _l("Signed for"), {S.DISPATCHED}, {"unit"}, fields=(),
            audience=(), refresh_search=False, enterprise_sees=True)
def _sign(ctx: Context) -> Step:
    ctx.ticket.signed_at = ctx.at
    return Step(S.IN_PROGRESS, public=True, data={"on_time": ctx.at <= ctx.ticket.sign_due})


@transition("return", _l("Returned by the unit"), {S.DISPATCHED}, {"unit"}, fields=(
    _unit_text("reason", _l("Reason for returning"), _l("Give the reason for returning the ticket."),
               "Why the ticket is not the unit's to handle, and who should handle it.",
               _l("Why this ticket is not your unit's to handle, and who should handle it.")),
    _unit_text("basis", _l("Basis"), _l("Give the basis (the rule or duty list) for returning the ticket."),
               "The rule or duty list that assigns the matter elsewhere.",
               _l("The rule, responsibility list or document that assigns the matter elsewhere.")),
), audience=("supervisors",), refresh_search=False, enterprise_sees=False)
def _return(ctx: Context) -> Step:
    reason = ctx.text("reason")
    basis = ctx.text("basis")
    ctx.ticket.return_count += 1
    return Step(S.RETURNED, reason, data={"basis": basis, "unit": ctx.ticket.lead_unit.name})


# ---------------------------------------------------------------- handling


@transition("note", _l("Progress"), {S.IN_PROGRESS, S.AWAITING_MATERIAL}, {"unit", "co_unit"}, fields=(
    _unit_text("note", _l("Progress note"), _l("Write the progress note."), "The progress note."),
    Param("public", BOOL, _l("Public"), description=_l(
        "Shown to the enterprise, and on the public page once the ticket is published. "
        "Leave unticked for an internal note."),
        doc="Shown to the enterprise and, once published, on the public page."),
), audience=(), refresh_search=False, enterprise_sees=False)  # an internal note stays internal
def _note_(ctx: Context) -> Step:
    note = ctx.text("note")
    public = bool(ctx.data.get("public"))
    return Step(None, note, public=public)


@transition("request_extension", _l("Extension requested"), {S.IN_PROGRESS, S.AWAITING_MATERIAL}, {"unit"},
            fields=(
    Param("new_due", DATE, _l("New due date"), required=True, message=_l("Give the new due date."),
          description=_l("A working day later than the current due date."),
          doc="The new due date: a working day later than the current one. " + _DATE_DOC),
    _unit_text("reason", _l("Reason for the extension"), _l("Give the reason for the extension."),
               "Why the extension is needed."),
), audience=("supervisors",), refresh_search=False, enterprise_sees=False)
def _request_extension(ctx: Context) -> Step:
    t = ctx.ticket
    if t.pending_extension is not None:
        raise ctx.refuse("", _l("An extension request is already waiting for a decision."))
    new_due = ctx.date("new_due")
    if t.handle_due and new_due <= t.handle_due.date():
        raise ctx.refuse("new_due", _l("The new due date must be later than the current one."))
    if not ctx.cal.is_working_day(new_due):
        raise ctx.refuse("new_due", _l("The new due date must be a working day."))
    reason = ctx.text("reason")
    t.extension_requests.append(ExtensionRequest(requested_due=new_due, reason=reason, status="pending",
                                                 requested_by_id=ctx.actor.id, created_at=ctx.at))
    return Step(None, reason, data={"new_due": new_due.isoformat()})


def _decide_extension(ctx: Context, granted: bool) -> Step:
    request = ctx.ticket.pending_extension
    if request is None:
        raise ctx.refuse("", _l("There is no extension request waiting for a decision."))
    note = ctx.text("note")
    request.status = "granted" if granted else "refused"
    request.decided_by_id = ctx.actor.id
    request.decided_at = ctx.at
    request.decision_note = note
    if granted:
        ctx.ticket.handle_due = deadlines.end_of(request.requested_due)
        ctx.ticket.extension_count += 1
    return Step(None, note, public=granted, data={"new_due": request.requested_due.isoformat()})


@transition("grant_extension", _l("Extension granted"), {S.IN_PROGRESS, S.AWAITING_MATERIAL, S.REPLIED},
            {"supervisor"}, fields=(_note(),), audience=("unit",), refresh_search=False, enterprise_sees=True)
def _grant_extension(ctx: Context) -> Step:
    return _decide_extension(ctx, granted=True)


@transition("refuse_extension", _l("Extension refused"), {S.IN_PROGRESS, S.AWAITING_MATERIAL, S.REPLIED},
            {"supervisor"}, fields=(_note(_l("Say why the extension is refused."), "Why the extension is refused."),),
            audience=("unit",), refresh_search=False, enterprise_sees=False)
def _refuse_extension(ctx: Context) -> Step:
    return _decide_extension(ctx, granted=False)


@transition("request_material", _l("Material requested"), {S.IN_PROGRESS}, {"unit"}, fields=(
    _unit_text("note", _l("Material needed"), _l("Say which material the enterprise should add."),
               "Which material the enterprise should add (pauses the clock).",
               _l("Tell the enterprise what to add. The handling clock pauses until it arrives.")),
), audience=("enterprise", "filer"), refresh_search=False, enterprise_sees=True)
def _request_material(ctx: Context) -> Step:
    note = ctx.text("note")
    ctx.ticket.paused_at = ctx.at
    return Step(S.AWAITING_MATERIAL, note)


@transition("provide_material", _l("Material added"), {S.AWAITING_MATERIAL}, {"enterprise"}, fields=(
    Param("note", TEXTAREA, _l("What you are adding"), required=True, max_length=TEXT_MAX,
          message=_l("Describe the material you are adding.")),
), audience=("unit",), refresh_search=False, enterprise_sees=True)
def _provide_material(ctx: Context) -> Step:
    note = ctx.text("note")
    t = ctx.ticket
    before = t.handle_due
    if t.paused_at and t.handle_due:
        t.handle_due = deadlines.extend_by_pause(ctx.cal, t.handle_due, t.paused_at, ctx.at)
    t.paused_at = None
    return Step(S.IN_PROGRESS, note, data={
        "paused_days": ctx.cal.working_days_between(before.date(), t.handle_due.date()) if before else 0,
        "handle_due": t.handle_due.isoformat() if t.handle_due else None,
    })


@transition("reply", _l("Replied"), {S.IN_PROGRESS}, {"unit"}, fields=(
    Param("outcome", CHOICE, _l("Outcome"), required=True, radio=True,
          choices={o.value: text for o, text in labels.OUTCOME.items()},
          message=_l("Choose the outcome: resolved, partly resolved, or explained."), doc="The outcome."),
    _unit_text("text", _l("Reply to the enterprise"), _l("Write the reply to the enterprise."),
               "The reply to the enterprise; the supervisor reviews it first.",
               _l("What was done and the result. The supervisor reviews it before the enterprise sees it.")),
), audience=("supervisors",), refresh_search=False, enterprise_sees=False)
def _reply(ctx: Context) -> Step:
    outcome = ctx.data.get("outcome")
    try:
        outcome = Outcome(getattr(outcome, "value", outcome))
    except ValueError:
        raise ctx.refuse("outcome") from None
    text = ctx.text("text")
    t = ctx.ticket
    t.reply_outcome, t.reply_text, t.replied_at = outcome, text, ctx.at
    clocks.mark_overdue(t, ctx.at)  # judged while still in progress: the reply stops the clock
    return Step(S.REPLIED, text, data={"outcome": outcome.value})


@transition("approve_reply", _l("Reply sent to the enterprise"), {S.REPLIED}, {"supervisor"}, fields=(_note(),),
            audience=("enterprise", "filer"), refresh_search=False, enterprise_sees=True)
def _approve_reply(ctx: Context) -> Step:
    t = ctx.ticket
    t.approved_at = ctx.at
    t.rate_due = deadlines.rate_due_after(ctx.at)
    return Step(S.AWAITING_RATING, t.reply_text or "", public=True,
                data={"outcome": t.reply_outcome.value if t.reply_outcome else None})


@transition("send_back", _l("Reply sent back to the unit"), {S.REPLIED}, {"supervisor"},
            fields=(_note(_l("Say what the reply lacks."), "What the reply lacks."),),
            audience=("unit",), refresh_search=False, enterprise_sees=False)
def _send_back(ctx: Context) -> Step:
    return Step(S.IN_PROGRESS, ctx.text("note"))


# ---------------------------------------------------------------- rating


@transition("rate", _l("Rated"), {S.AWAITING_RATING}, {"enterprise"}, fields=(
    Param("rating", CHOICE, _l("How satisfied are you with the result?"), required=True, radio=True,
          choices={r.value: labels.RATING[r] for r in Rating}, message=_l("Choose a rating.")),
    Param("solved", BOOL, _l("Was the problem solved?"), required=True, radio=True,
          message=_l("Say whether the problem was solved.")),
    Param("comment", TEXTAREA, _l("Comment"), max_length=NOTE_MAX, description=_l(
        "A rating of dissatisfied or very dissatisfied is reviewed by the business-environment office; "
        "say what is still wrong.")),
), audience=("unit",), refresh_search=False, enterprise_sees=True)  # a bad rating: notify.BAD_RATING_AUDIENCE
def _rate(ctx: Context) -> Step:
    try:
        rating = Rating(int(ctx.data.get("rating")))
    except (TypeError, ValueError):
        raise ctx.refuse("rating") from None
    solved = ctx.data.get("solved")
    if solved not in (True, False):
        raise ctx.refuse("solved")
    t = ctx.ticket
    t.rating, t.rating_solved, t.rated_at = rating, solved, ctx.at
    t.rating_comment = ctx.text("comment")
    if rating.is_bad:
        return Step(S.RATING_REVIEW, t.rating_comment, public=True, data={"rating": rating.value, "solved": solved})
    t.closed_at = ctx.at
    return Step(S.CLOSED, t.rating_comment, public=True, data={"rating": rating.value, "solved": solved})


@transition("reopen", _l("Reopened for re-handling"), {S.RATING_REVIEW}, {"supervisor"}, fields=(
    _note(_l("Say what the unit must handle again."), "What the unit must handle again."),
    _handle_days(_l("Leave empty to give the ticket's usual time limit again."),
                 "Working days to handle; empty for the ticket's usual limit."),
), audience=("unit", "enterprise"), refresh_search=False, enterprise_sees=True)
def _reopen(ctx: Context) -> Step:
    note = ctx.text("note")
    t = ctx.ticket
    days = int(ctx.data.get("handle_days") or t.handle_days)
    t.reopen_count += 1
    t.handle_due = deadlines.due_after(ctx.cal, ctx.at, days)
    t.rating = t.rating_solved = t.rated_at = t.rating_comment = None
    t.replied_at = t.approved_at = t.rate_due = None
    return Step(S.IN_PROGRESS, note, public=True, data={"handle_due": t.handle_due.isoformat()})


@transition("uphold", _l("Unit's appeal upheld"), {S.RATING_REVIEW}, {"supervisor"}, fields=(
    _note(_l("Give the reason for upholding the unit's appeal."), "Why the unit's appeal is upheld."),
), audience=("unit", "enterprise"), refresh_search=False, enterprise_sees=True)
def _uphold(ctx: Context) -> Step:
    note = ctx.text("note")
    ctx.ticket.closed_at = ctx.at
    return Step(S.CLOSED, note, public=True)


@transition("close_unrated", _l("Closed without rating"), {S.AWAITING_RATING}, {"system", "supervisor"},
            fields=(), audience=(), refresh_search=False, enterprise_sees=True)
def _close_unrated(ctx: Context) -> Step:
    t = ctx.ticket
    if not clocks.rating_time_over(t, ctx.at):
        raise ctx.refuse("", _l("The enterprise still has time to rate this ticket."))
    t.closed_at = ctx.at
    return Step(S.CLOSED, public=True)


# ---------------------------------------------------------------- supervision


@transition("issue_order", _l("Supervision order issued"), OPEN_STATES, {"supervisor"}, fields=(
    Param("level", CHOICE, _l("Level"), required=True, choices=ORDER_LEVELS,
          message=_l("Choose the level of supervision."), doc="The level of supervision."),
    Param("deadline", DATE, _l("Answer by"), required=True, message=_l("Give the date by which the unit must answer."),
          doc="The date by which the unit must answer. " + _DATE_DOC),
    _note(_l("Say what the unit must do."), "What the unit must do."),
), audience=("unit",), refresh_search=False, enterprise_sees=True)
def _issue_order(ctx: Context) -> Step:
    level = ctx.data.get("level")
    if level not in ORDER_LEVELS:
        raise ctx.refuse("level")
    deadline = ctx.date("deadline")
    if deadline < ctx.at.date():
        raise ctx.refuse("deadline", _l("The answer date cannot be in the past."))
    note = ctx.text("note")
    ctx.ticket.supervision_orders.append(SupervisionOrder(level=level, deadline=deadline, note=note,
                                                          issued_by_id=ctx.actor.id, issued_at=ctx.at))
    return Step(None, note, public=True, data={"level": level, "deadline": deadline.isoformat()})


@transition("answer_order", _l("Supervision order answered"), OPEN_STATES, {"unit"}, fields=(
    _unit_text("text", _l("Answer to the supervision order"), _l("Write the answer to the supervision order."),
               "The answer to the oldest open supervision order."),
), audience=("supervisors",), refresh_search=False, enterprise_sees=True)
def _answer_order(ctx: Context) -> Step:
    orders = ctx.ticket.open_orders
    if not orders:
        raise ctx.refuse("", _l("There is no supervision order waiting for an answer."))
    text = ctx.text("text")
    order = orders[0]
    order.answer, order.answered_by_id, order.answered_at = text, ctx.actor.id, ctx.at
    return Step(None, text, data={"order_id": order.id, "on_time": ctx.at.date() <= order.deadline})


@transition("merge", _l("Merged into another ticket"), OPEN_STATES, {"supervisor"}, fields=(
    Param("into", TEXT, _l("Tracking number of the ticket to merge into"), required=True, max_length=20,
          message=_l("Give the tracking number of another open ticket to merge into."),
          doc="The tracking number of another open ticket."),
    _note(),
), audience=("enterprise",), refresh_search=False, enterprise_sees=True)
def _merge(ctx: Context) -> Step:
    t = ctx.ticket
    number = (ctx.data.get("into") or "").strip()
    target = db.session.scalar(select(Ticket).where(Ticket.tracking_no == number)) if number else None
    if target is None or target.id == t.id or not target.is_open:
        raise ctx.refuse("into")
    clocks.mark_overdue(t, ctx.at)  # judged before the merge stops every clock
    t.merged_into = target
    t.closed_at = ctx.at
    claim(target)
    record(target, "merged_from", ctx.actor, target.state, target.state, ctx.at,
           note=ctx.text("note"), data={"tracking_no": t.tracking_no})
    return Step(S.MERGED, ctx.text("note"), public=True, data={"into": target.tracking_no})


# ---------------------------------------------------------------- disclosure


def awaiting_publication() -> ColumnElement[bool]:
    """Tickets the supervisor may publish and has not: the enterprise agreed and the ticket was accepted
    (the same rule as the ``publish`` transition, as a WHERE clause for the console's queue)."""
    return and_(Ticket.publish_consent.is_(True), Ticket.published_at.is_(None), Ticket.state.in_(PUBLISHABLE))


def result_awaiting_publication() -> ColumnElement[bool]:
    """Closed, published tickets whose result is not published yet (``publish_result``)."""
    return and_(Ticket.state == S.CLOSED, Ticket.published_at.is_not(None), Ticket.result_published_at.is_(None))


@transition("publish", _l("Problem published"), PUBLISHABLE, {"supervisor"}, fields=(
    Param("public_title", TEXT, _l("Public title"), required=True, max_length=120,
          message=_l("Write the public title."), doc="The public title."),
    Param("public_summary", TEXTAREA, _l("Public summary of the problem"), required=True, max_length=TEXT_MAX,
          message=_l("Write the public summary of the problem."), doc="The public summary of the problem."),
), audience=(), refresh_search=True, enterprise_sees=True)
def _publish(ctx: Context) -> Step:
    t = ctx.ticket
    if not t.publish_consent:
        raise ctx.refuse("", _l("The enterprise did not agree to publish this complaint."))
    title = ctx.text("public_title")
    t.public_summary = ctx.text("public_summary")
    t.public_title = title
    first = t.published_at is None
    t.published_at = t.published_at or ctx.at
    return Step(None, public=first, data={"republished": not first})


@transition("publish_result", _l("Result published"), {S.CLOSED}, {"supervisor"}, fields=(
    Param("public_reply", TEXTAREA, _l("Public summary of the result"), required=True, max_length=TEXT_MAX,
          message=_l("Write the public summary of the result."), doc="The public summary of the result."),
), audience=(), refresh_search=True, enterprise_sees=True)
def _publish_result(ctx: Context) -> Step:
    t = ctx.ticket
    if t.published_at is None:
        raise ctx.refuse("", _l("Publish the problem before its result."))
    t.public_reply = ctx.text("public_reply")
    first = t.result_published_at is None
    t.result_published_at = t.result_published_at or ctx.at
    return Step(None, public=first, data={"republished": not first})


@transition("unpublish", _l("Withdrawn from the public pages"), frozenset(State), {"supervisor"},
            fields=(_note(_l("Say why the ticket is withdrawn."), "Why the ticket is withdrawn."),),
            audience=(), refresh_search=True, enterprise_sees=False)
def _unpublish(ctx: Context) -> Step:
    t = ctx.ticket
    if t.published_at is None:
        raise ctx.refuse("", _l("This ticket is not published."))
    t.published_at = t.result_published_at = None
    return Step(None, ctx.text("note"))


@transition("add_redaction_term", _l("Redaction term added"), frozenset(State), {"supervisor"}, fields=(
    Param("term", TEXT, _l("Word to mask"), required=True, max_length=100,
          message=_l("Give the word to mask on the public pages."),
          description=_l("A name, nickname or other word to hide on this ticket's public pages."),
          doc="A word to mask on this ticket's public pages."),
), audience=(), refresh_search=True, enterprise_sees=False)
def _add_redaction_term(ctx: Context) -> Step:
    term = ctx.text("term")
    if len(term) > 100:
        raise ctx.refuse("term", _l("A redaction term has at most 100 characters."))
    ctx.ticket.redaction_terms.append(RedactionTerm(term=term, added_by_id=ctx.actor.id))
    return Step(None)
