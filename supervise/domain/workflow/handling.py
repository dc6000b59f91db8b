"""The ticket's handling transitions: progress notes, extensions, material, the reply and its review."""

from flask_babel import lazy_gettext as _l

from supervise import labels
from supervise.domain import clocks, deadlines
from supervise.domain.workflow import merging
from supervise.domain.workflow.engine import Context, Step, transition
from supervise.domain.workflow.fields import BOOL, CHOICE, DATE, TEXT_MAX, TEXTAREA, Param
from supervise.domain.workflow.transitions import DATE_DOC, note_field, unit_text
from supervise.models import ExtensionRequest, Outcome, State

S = State


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
    if not granted:  # the due date stays: the timeline shows no new one
        return Step(None, note)
    ctx.ticket.handle_due = deadlines.end_of(request.requested_due)
    ctx.ticket.extension_count += 1
    return Step(None, note, public=True, data={"new_due": request.requested_due.isoformat()})


@transition(
    "grant_extension",
    _l("Extension granted"),
    {S.IN_PROGRESS, S.AWAITING_MATERIAL, S.REPLIED},
    {"supervisor"},
    fields=(note_field(),),
    audience=("unit", "enterprise", "filer"),
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
    merging.pass_on_reply(t, ctx.at)  # the filers of complaints merged into this one hear it too
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
