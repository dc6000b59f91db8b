"""The transitions of supervision (orders, merging) and disclosure (publication, masking): the actions
a supervisor makes on any open (or any) ticket besides its handling. Registered after ``transitions``."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, select

from supervise.domain import clocks
from supervise.domain.clocks import OPEN_STATES, PUBLISHABLE
from supervise.domain.replies import sent_reply_files
from supervise.domain.workflow.engine import Context, Step, claim, record, transition
from supervise.domain.workflow.fields import BOOL, CHOICE, DATE, TEXT, TEXT_MAX, TEXTAREA, Param
from supervise.domain.workflow.transitions import DATE_DOC, note_field, unit_text
from supervise.extensions import db
from supervise.models import RedactionTerm, State, SupervisionOrder, Ticket

S = State

ORDER_LEVELS = {
    "general": _l("General supervision"),
    "key": _l("Key supervision"),
    "listed": _l("Listed supervision"),
}


# ---------------------------------------------------------------- supervision


@transition(
    "issue_order",
    _l("Supervision order issued"),
    OPEN_STATES,
    {"supervisor"},
    fields=(
        Param(
            "level",
            CHOICE,
            _l("Level"),
            required=True,
            choices=ORDER_LEVELS,
            message=_l("Choose the level of supervision."),
            doc="The level of supervision.",
        ),
        Param(
            "deadline",
            DATE,
            _l("Answer by"),
            required=True,
            message=_l("Give the date by which the unit must answer."),
            doc="The date by which the unit must answer. " + DATE_DOC,
        ),
        note_field(_l("Say what the unit must do."), "What the unit must do."),
    ),
    audience=("unit",),
    refresh_search=False,
    enterprise_sees=True,
)
def _issue_order(ctx: Context) -> Step:
    level = ctx.data.get("level")
    if level not in ORDER_LEVELS:
        raise ctx.refuse("level")
    deadline = ctx.date("deadline")
    if deadline < ctx.at.date():
        raise ctx.refuse("deadline", _l("The answer date cannot be in the past."))
    note = ctx.text("note")
    ctx.ticket.supervision_orders.append(
        SupervisionOrder(level=level, deadline=deadline, note=note, issued_by_id=ctx.actor.id, issued_at=ctx.at)
    )
    return Step(None, note, public=True, data={"level": level, "deadline": deadline.isoformat()})


@transition(
    "answer_order",
    _l("Supervision order answered"),
    OPEN_STATES,
    {"unit"},
    fields=(
        unit_text(
            "text",
            _l("Answer to the supervision order"),
            _l("Write the answer to the supervision order."),
            "The answer to the oldest open supervision order.",
        ),
    ),
    audience=("supervisors",),
    refresh_search=False,
    enterprise_sees=True,
)
def _answer_order(ctx: Context) -> Step:
    orders = ctx.ticket.open_orders
    if not orders:
        raise ctx.refuse("", _l("There is no supervision order waiting for an answer."))
    text = ctx.text("text")
    order = orders[0]
    order.answer, order.answered_by_id, order.answered_at = text, ctx.actor.id, ctx.at
    return Step(None, text, data={"order_id": order.id, "on_time": ctx.at.date() <= order.deadline})


@transition(
    "merge",
    _l("Merged into another ticket"),
    OPEN_STATES,
    {"supervisor"},
    fields=(
        Param(
            "into",
            TEXT,
            _l("Tracking number of the ticket to merge into"),
            required=True,
            max_length=20,
            message=_l("Give the tracking number of another open ticket to merge into."),
            doc="The tracking number of another open ticket.",
        ),
        note_field(),
    ),
    audience=("enterprise", "filer"),
    refresh_search=False,
    enterprise_sees=True,
)
def _merge(ctx: Context) -> Step:
    t = ctx.ticket
    number = (ctx.data.get("into") or "").strip()
    target = db.session.scalar(select(Ticket).where(Ticket.tracking_no == number)) if number else None
    if target is None or target.id == t.id or target.state not in OPEN_STATES:
        raise ctx.refuse("into")
    clocks.mark_overdue(t, ctx.at)  # judged before the merge stops every clock
    t.merged_into = target
    t.closed_at = ctx.at
    claim(target)
    record(
        target,
        "merged_from",
        ctx.actor,
        target.state,
        target.state,
        ctx.at,
        note=ctx.text("note"),
        data={"tracking_no": t.tracking_no},
    )
    return Step(S.MERGED, ctx.text("note"), public=True, data={"into": target.tracking_no})


# ---------------------------------------------------------------- disclosure


def awaiting_publication() -> ColumnElement[bool]:
    """Tickets the supervisor may publish and has not: the enterprise agreed and the ticket was accepted
    (the same rule as the ``publish`` transition, as a WHERE clause for the console's queue)."""
    return and_(Ticket.publish_consent.is_(True), Ticket.published_at.is_(None), Ticket.state.in_(PUBLISHABLE))


def result_awaiting_publication() -> ColumnElement[bool]:
    """Closed, published tickets whose result is not published yet (``publish_result``)."""
    return and_(Ticket.state == S.CLOSED, Ticket.published_at.is_not(None), Ticket.result_published_at.is_(None))


@transition(
    "publish",
    _l("Problem published"),
    PUBLISHABLE,
    {"supervisor"},
    fields=(
        Param(
            "public_title",
            TEXT,
            _l("Public title"),
            required=True,
            max_length=120,
            message=_l("Write the public title."),
            doc="The public title.",
        ),
        Param(
            "public_summary",
            TEXTAREA,
            _l("Public summary of the problem"),
            required=True,
            max_length=TEXT_MAX,
            message=_l("Write the public summary of the problem."),
            doc="The public summary of the problem.",
        ),
    ),
    audience=(),
    refresh_search=True,
    enterprise_sees=True,
)
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


@transition(
    "publish_result",
    _l("Result published"),
    {S.CLOSED},
    {"supervisor"},
    fields=(
        Param(
            "public_reply",
            TEXTAREA,
            _l("Public summary of the result"),
            required=True,
            max_length=TEXT_MAX,
            message=_l("Write the public summary of the result."),
            doc="The public summary of the result.",
        ),
        Param(
            "release_reply_files",
            BOOL,
            _l("Release the reply's documents with the result"),
            description=_l(
                "The documents the unit attached to its approved replies are shown on the public page, under "
                "a made-up name. Open each one first: its content is not masked."
            ),
            doc="Release the files of the approved replies on the public page (shown once the result is).",
        ),
    ),
    audience=(),
    refresh_search=True,
    enterprise_sees=True,
)
def _publish_result(ctx: Context) -> Step:
    t = ctx.ticket
    if t.published_at is None:
        raise ctx.refuse("", _l("Publish the problem before its result."))
    t.public_reply = ctx.text("public_reply")
    first = t.result_published_at is None
    t.result_published_at = t.result_published_at or ctx.at
    released = [a for a in sent_reply_files(t) if not a.released] if ctx.data.get("release_reply_files") else []
    for attachment in released:
        attachment.released = True
    return Step(None, public=first, data={"republished": not first, "released_files": len(released)})


@transition(
    "unpublish",
    _l("Withdrawn from the public pages"),
    frozenset(State),
    {"supervisor"},
    fields=(note_field(_l("Say why the ticket is withdrawn."), "Why the ticket is withdrawn."),),
    audience=(),
    refresh_search=True,
    enterprise_sees=False,
)
def _unpublish(ctx: Context) -> Step:
    t = ctx.ticket
    if t.published_at is None:
        raise ctx.refuse("", _l("This ticket is not published."))
    t.published_at = t.result_published_at = None
    return Step(None, ctx.text("note"))


@transition(
    "add_redaction_term",
    _l("Redaction term added"),
    frozenset(State),
    {"supervisor"},
    fields=(
        Param(
            "term",
            TEXT,
            _l("Word to mask"),
            required=True,
            max_length=100,
            message=_l("Give the word to mask on the public pages."),
            description=_l("A name, nickname or other word to hide on this ticket's public pages."),
            doc="A word to mask on this ticket's public pages.",
        ),
    ),
    audience=(),
    refresh_search=True,
    enterprise_sees=False,
)
def _add_redaction_term(ctx: Context) -> Step:
    term = ctx.text("term")
    if len(term) > 100:
        raise ctx.refuse("term", _l("A redaction term has at most 100 characters."))
    ctx.ticket.redaction_terms.append(RedactionTerm(term=term, added_by_id=ctx.actor.id))
    return Step(None)
