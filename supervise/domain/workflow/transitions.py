"""The ticket's transitions: for each action, where it may start, who may make it, what it accepts,
who is told, and what it does. The one place that lists them; see ``engine`` for how they run."""

from typing import Any

from flask_babel import lazy_gettext as _l

from supervise import labels
from supervise.domain import clocks, deadlines, routing
from supervise.domain.workflow.engine import Context, Step, transition
from supervise.domain.workflow.fields import (
    BOOL,
    CHOICE,
    DATE,
    DATE_YEARS,
    INT,
    NOTE_MAX,
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
    State,
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
HANDLE_DAYS_MAX = 90
DATE_DOC = f"A date, YYYY-MM-DD, in the years {DATE_YEARS[0]}–{DATE_YEARS[1]}."

# ---------------------------------------------------------------- fields several actions share


def note_field(message: Any = None, doc: str = "A note on the timeline.") -> Param:
    """A supervisor's note; ``message`` makes it required."""
    return Param(
        "note", TEXTAREA, _l("Note"), required=message is not None, message=message, max_length=NOTE_MAX, doc=doc
    )


def unit_text(name: str, label: Any, message: Any, doc: str, description: Any = None) -> Param:
    """A unit's required text."""
    return Param(
        name, TEXTAREA, label, required=True, message=message, max_length=TEXT_MAX, description=description, doc=doc
    )


def _handle_days(description: Any, doc: str) -> Param:
    return Param(
        "handle_days", INT, _l("Working days to handle"), min=1, max=HANDLE_DAYS_MAX, description=description, doc=doc
    )


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
    return {
        "unit_id": unit.id,
        "unit": unit.name,
        "handle_days": t.handle_days,
        "handle_due": t.handle_due.isoformat(),
        "co_units": [u.name for u in t.co_units],
    }


# ---------------------------------------------------------------- acceptance and dispatch


@transition(
    "accept",
    _l("Accepted"),
    {S.SUBMITTED},
    {"supervisor"},
    fields=(
        Param(
            "unit_id",
            UNIT,
            _l("Lead unit"),
            nullable=True,
            message=_CHOOSE_UNIT,
            description=_l(
                "Leave on “routing decides” to apply the routing rules; "
                "a complaint no rule fits goes to the dispatch queue."
            ),
            doc="The lead unit (a unit that handles tickets); null or absent lets the routing rules decide.",
        ),
        note_field(),
    ),
    audience=("unit",),
    refresh_search=True,
    enterprise_sees=True,
)
def _accept(ctx: Context) -> Step:
    t = ctx.ticket
    unit = _unit(ctx) if ctx.data.get("unit_id") else routing.resolve_lead_unit(t.category, t.area_id)
    t.accepted_at = ctx.at
    if unit is None:
        return Step(S.AWAITING_DISPATCH, ctx.text("note"), public=True)
    return Step(S.DISPATCHED, ctx.text("note"), public=True, data=_dispatch_to(ctx, unit))


@transition(
    "decline",
    _l("Declined"),
    {S.SUBMITTED},
    {"supervisor"},
    fields=(
        Param(
            "reason",
            CHOICE,
            _l("Reason"),
            required=True,
            choices=DECLINE_REASONS,
            message=_l("Choose one of the published reasons for declining."),
            doc="One of the published reasons for declining.",
        ),
        note_field(),
    ),
    audience=("enterprise", "filer"),
    refresh_search=False,
    enterprise_sees=True,
)
def _decline(ctx: Context) -> Step:
    reason = ctx.data.get("reason")
    if reason not in DECLINE_REASONS:
        raise ctx.refuse("reason")
    ctx.ticket.decline_reason = reason
    ctx.ticket.closed_at = ctx.at
    return Step(S.DECLINED, ctx.text("note"), public=True, data={"reason": reason})


@transition(
    "dispatch",
    _l("Dispatched"),
    {S.AWAITING_DISPATCH, S.RETURNED, S.DISPATCHED},
    {"supervisor"},
    fields=(
        Param(
            "unit_id",
            UNIT,
            _l("Lead unit"),
            required=True,
            message=_CHOOSE_UNIT,
            doc="The lead unit (a unit that handles tickets).",
        ),
        Param(
            "limit_class",
            CHOICE,
            _l("Time-limit class"),
            choices={k.value: v for k, v in labels.LIMIT_CLASS.items()},
            doc="The time-limit class; absent for the category's.",
        ),
        _handle_days(
            _l("Leave empty to use the time-limit class."), "Working days to handle; empty for the time-limit class's."
        ),
        note_field(),
    ),
    audience=("unit",),
    refresh_search=True,
    enterprise_sees=True,
)
def _dispatch(ctx: Context) -> Step:
    return Step(S.DISPATCHED, ctx.text("note"), public=True, data=_dispatch_to(ctx, _unit(ctx)))


@transition(
    "reject_return",
    _l("Return rejected"),
    {S.RETURNED},
    {"supervisor"},
    fields=(note_field(_l("Say why the unit must handle the ticket."), "Why the unit must handle the ticket."),),
    audience=("unit",),
    refresh_search=False,
    enterprise_sees=False,
)
def _reject_return(ctx: Context) -> Step:
    note = ctx.text("note")
    t = ctx.ticket
    t.sign_due = deadlines.due_after(ctx.cal, ctx.at, deadlines.SIGN_DAYS)
    return Step(S.DISPATCHED, note, data={"unit": t.lead_unit.name})


@transition(
    "sign",
    _l("Signed for"),
    {S.DISPATCHED},
    {"unit"},
    fields=(),
    audience=(),
    refresh_search=False,
    enterprise_sees=True,
)
def _sign(ctx: Context) -> Step:
    ctx.ticket.signed_at = ctx.at
    return Step(S.IN_PROGRESS, public=True, data={"on_time": ctx.at <= ctx.ticket.sign_due})


@transition(
    "return",
    _l("Returned by the unit"),
    {S.DISPATCHED},
    {"unit"},
    fields=(
        unit_text(
            "reason",
            _l("Reason for returning"),
            _l("Give the reason for returning the ticket."),
            "Why the ticket is not the unit's to handle, and who should handle it.",
            _l("Why this ticket is not your unit's to handle, and who should handle it."),
        ),
        unit_text(
            "basis",
            _l("Basis"),
            _l("Give the basis (the rule or duty list) for returning the ticket."),
            "The rule or duty list that assigns the matter elsewhere.",
            _l("The rule, responsibility list or document that assigns the matter elsewhere."),
        ),
    ),
    audience=("supervisors",),
    refresh_search=False,
    enterprise_sees=False,
)
def _return(ctx: Context) -> Step:
    reason = ctx.text("reason")
    basis = ctx.text("basis")
    ctx.ticket.return_count += 1
    return Step(S.RETURNED, reason, data={"basis": basis, "unit": ctx.ticket.lead_unit.name})


# ---------------------------------------------------------------- handling


@transition(
    "note",
    _l("Progress"),
    {S.IN_PROGRESS, S.AWAITING_MATERIAL},
    {"unit", "co_unit"},
    fields=(
        unit_text("note", _l("Progress note"), _l("Write the progress note."), "The progress note."),
        Param(
            "public",
            BOOL,
            _l("Public"),
            description=_l(
                "Shown to the enterprise, and on the public page once the ticket is published. "
                "Leave unticked for an internal note."
            ),
            doc="Shown to the enterprise and, once published, on the public page.",
        ),
    ),
    audience=(),
    refresh_search=False,
    enterprise_sees=False,
)  # an internal note stays internal
def _note_(ctx: Context) -> Step:
    note = ctx.text("note")
    public = bool(ctx.data.get("public"))
    return Step(None, note, public=public)


@transition(
    "request_extension",
    _l("Extension requested"),
    {S.IN_PROGRESS, S.AWAITING_MATERIAL},
    {"unit"},
    fields=(
        Param(
            "new_due",
            DATE,
            _l("New due date"),
            required=True,
            message=_l("Give the new due date."),
            description=_l("A working day later than the current due date."),
            doc="The new due date: a working day later than the current one. " + DATE_DOC,
        ),
        unit_text(
            "reason",
            _l("Reason for the extension"),
            _l("Give the reason for the extension."),
            "Why the extension is needed.",
        ),
    ),
    audience=("supervisors",),
    refresh_search=False,
    enterprise_sees=False,
)
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
    t.extension_requests.append(
        ExtensionRequest(
            requested_due=new_due, reason=reason, status="pending", requested_by_id=ctx.actor.id, created_at=ctx.at
        )
    )
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


@transition(
    "grant_extension",
    _l("Extension granted"),
    {S.IN_PROGRESS, S.AWAITING_MATERIAL, S.REPLIED},
    {"supervisor"},
    fields=(note_field(),),
    audience=("unit",),
    refresh_search=False,
    enterprise_sees=True,
)
def _grant_extension(ctx: Context) -> Step:
    return _decide_extension(ctx, granted=True)


@transition(
    "refuse_extension",
    _l("Extension refused"),
    {S.IN_PROGRESS, S.AWAITING_MATERIAL, S.REPLIED},
    {"supervisor"},
    fields=(note_field(_l("Say why the extension is refused."), "Why the extension is refused."),),
    audience=("unit",),
    refresh_search=False,
    enterprise_sees=False,
)
def _refuse_extension(ctx: Context) -> Step:
    return _decide_extension(ctx, granted=False)


@transition(
    "request_material",
    _l("Material requested"),
    {S.IN_PROGRESS},
    {"unit"},
    fields=(
        unit_text(
            "note",
            _l("Material needed"),
            _l("Say which material the enterprise should add."),
            "Which material the enterprise should add (pauses the clock).",
            _l("Tell the enterprise what to add. The handling clock pauses until it arrives."),
        ),
    ),
    audience=("enterprise", "filer"),
    refresh_search=False,
    enterprise_sees=True,
)
def _request_material(ctx: Context) -> Step:
    note = ctx.text("note")
    ctx.ticket.paused_at = ctx.at
    return Step(S.AWAITING_MATERIAL, note)


@transition(
    "provide_material",
    _l("Material added"),
    {S.AWAITING_MATERIAL},
    {"enterprise"},
    fields=(
        Param(
            "note",
            TEXTAREA,
            _l("What you are adding"),
            required=True,
            max_length=TEXT_MAX,
            message=_l("Describe the material you are adding."),
        ),
    ),
    audience=("unit",),
    refresh_search=False,
    enterprise_sees=True,
)
def _provide_material(ctx: Context) -> Step:
    note = ctx.text("note")
    t = ctx.ticket
    before = t.handle_due
    if t.paused_at and t.handle_due:
        t.handle_due = deadlines.extend_by_pause(ctx.cal, t.handle_due, t.paused_at, ctx.at)
    t.paused_at = None
    return Step(
        S.IN_PROGRESS,
        note,
        data={
            "paused_days": ctx.cal.working_days_between(before.date(), t.handle_due.date()) if before else 0,
            "handle_due": t.handle_due.isoformat() if t.handle_due else None,
        },
    )


@transition(
    "reply",
    _l("Replied"),
    {S.IN_PROGRESS},
    {"unit"},
    fields=(
        Param(
            "outcome",
            CHOICE,
            _l("Outcome"),
            required=True,
            radio=True,
            choices={o.value: text for o, text in labels.OUTCOME.items()},
            message=_l("Choose the outcome: resolved, partly resolved, or explained."),
            doc="The outcome.",
        ),
        unit_text(
            "text",
            _l("Reply to the enterprise"),
            _l("Write the reply to the enterprise."),
            "The reply to the enterprise; the supervisor reviews it first.",
            _l("What was done and the result. The supervisor reviews it before the enterprise sees it."),
        ),
    ),
    audience=("supervisors",),
    refresh_search=False,
    enterprise_sees=False,
)
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


@transition(
    "approve_reply",
    _l("Reply sent to the enterprise"),
    {S.REPLIED},
    {"supervisor"},
    fields=(note_field(),),
    audience=("enterprise", "filer"),
    refresh_search=False,
    enterprise_sees=True,
)
def _approve_reply(ctx: Context) -> Step:
    t = ctx.ticket
    t.approved_at = ctx.at
    t.rate_due = deadlines.rate_due_after(ctx.at)
    return Step(
        S.AWAITING_RATING,
        t.reply_text or "",
        public=True,
        data={"outcome": t.reply_outcome.value if t.reply_outcome else None},
    )


@transition(
    "send_back",
    _l("Reply sent back to the unit"),
    {S.REPLIED},
    {"supervisor"},
    fields=(note_field(_l("Say what the reply lacks."), "What the reply lacks."),),
    audience=("unit",),
    refresh_search=False,
    enterprise_sees=False,
)
def _send_back(ctx: Context) -> Step:
    return Step(S.IN_PROGRESS, ctx.text("note"))


# ---------------------------------------------------------------- rating


@transition(
    "rate",
    _l("Rated"),
    {S.AWAITING_RATING},
    {"enterprise"},
    fields=(
        Param(
            "rating",
            CHOICE,
            _l("How satisfied are you with the result?"),
            required=True,
            radio=True,
            choices={r.value: labels.RATING[r] for r in Rating},
            message=_l("Choose a rating."),
        ),
        Param(
            "solved",
            BOOL,
            _l("Was the problem solved?"),
            required=True,
            radio=True,
            message=_l("Say whether the problem was solved."),
        ),
        Param(
            "comment",
            TEXTAREA,
            _l("Comment"),
            max_length=NOTE_MAX,
            description=_l(
                "A rating of dissatisfied or very dissatisfied is reviewed by the business-environment office; "
                "say what is still wrong."
            ),
        ),
    ),
    audience=("unit",),
    refresh_search=False,
    enterprise_sees=True,
)  # a bad rating: notify.BAD_RATING_AUDIENCE
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


@transition(
    "reopen",
    _l("Reopened for re-handling"),
    {S.RATING_REVIEW},
    {"supervisor"},
    fields=(
        note_field(_l("Say what the unit must handle again."), "What the unit must handle again."),
        _handle_days(
            _l("Leave empty to give the ticket's usual time limit again."),
            "Working days to handle; empty for the ticket's usual limit.",
        ),
    ),
    audience=("unit", "enterprise"),
    refresh_search=False,
    enterprise_sees=True,
)
def _reopen(ctx: Context) -> Step:
    note = ctx.text("note")
    t = ctx.ticket
    days = int(ctx.data.get("handle_days") or t.handle_days)
    t.reopen_count += 1
    t.handle_due = deadlines.due_after(ctx.cal, ctx.at, days)
    t.rating = t.rating_solved = t.rated_at = t.rating_comment = None
    t.replied_at = t.approved_at = t.rate_due = None
    return Step(S.IN_PROGRESS, note, public=True, data={"handle_due": t.handle_due.isoformat()})


@transition(
    "uphold",
    _l("Unit's appeal upheld"),
    {S.RATING_REVIEW},
    {"supervisor"},
    fields=(note_field(_l("Give the reason for upholding the unit's appeal."), "Why the unit's appeal is upheld."),),
    audience=("unit", "enterprise"),
    refresh_search=False,
    enterprise_sees=True,
)
def _uphold(ctx: Context) -> Step:
    note = ctx.text("note")
    ctx.ticket.closed_at = ctx.at
    return Step(S.CLOSED, note, public=True)


@transition(
    "close_unrated",
    _l("Closed without rating"),
    {S.AWAITING_RATING},
    {"system", "supervisor"},
    fields=(),
    audience=(),
    refresh_search=False,
    enterprise_sees=True,
)
def _close_unrated(ctx: Context) -> Step:
    t = ctx.ticket
    if not clocks.rating_time_over(t, ctx.at):
        raise ctx.refuse("", _l("The enterprise still has time to rate this ticket."))
    t.closed_at = ctx.at
    return Step(S.CLOSED, public=True)
