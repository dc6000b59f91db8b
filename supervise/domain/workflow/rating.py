"""The ticket's rating transitions: the enterprise's rating (of its own ticket, or of the reply to the one
it was merged into), its review, and closing unrated."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from supervise import labels
from supervise.domain import clocks, deadlines
from supervise.domain.workflow import merging
from supervise.domain.workflow.engine import Context, Step, transition
from supervise.domain.workflow.fields import BOOL, CHOICE, NOTE_MAX, TEXTAREA, Param
from supervise.domain.workflow.transitions import handle_days_field, note_field
from supervise.models import Rating, State, Ticket

S = State


#: What the enterprise answers when it rates (its own ticket, or one merged into another: ``merging``).
RATE_FIELDS = (
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
)


@transition(
    "rate",
    _l("Rated"),
    {S.AWAITING_RATING},
    {"enterprise"},
    fields=RATE_FIELDS,
    audience=("unit",),
    refresh_search=False,
    enterprise_sees=True,
)  # a bad rating: notify.BAD_RATING_AUDIENCE
def _rate(ctx: Context) -> Step:
    rating, solved = read_rating(ctx)
    t = ctx.ticket
    record_rating(t, rating, solved, ctx.text("comment"), ctx.at)
    if rating.is_bad:
        return Step(S.RATING_REVIEW, t.rating_comment, public=True, data={"rating": rating.value, "solved": solved})
    t.closed_at = ctx.at
    return Step(S.CLOSED, t.rating_comment, public=True, data={"rating": rating.value, "solved": solved})


def record_rating(t: Ticket, rating: Rating, solved: bool, comment: str, at: datetime) -> None:
    """Keep a rating round on ``t``: the latest in ``rating``, the first ever in ``first_rating``."""
    t.rating, t.rating_solved, t.rated_at, t.rating_comment = rating, solved, at, comment
    if t.first_rating is None:
        t.first_rating = rating


def read_rating(ctx: Context) -> tuple[Rating, bool]:
    """The rating and the answer to "was it solved?" the enterprise gave, refused when unusable."""
    try:
        rating = Rating(int(ctx.data.get("rating")))
    except (TypeError, ValueError):
        raise ctx.refuse("rating") from None
    solved = ctx.data.get("solved")
    if solved not in (True, False):
        raise ctx.refuse("solved")
    return rating, solved


@transition(
    "rate_merged",
    _l("Rated the reply to the complaint it was merged into"),
    {S.MERGED},
    {"enterprise"},
    fields=RATE_FIELDS,
    audience=("supervisors",),
    refresh_search=False,
    enterprise_sees=True,
)
def _rate_merged(ctx: Context) -> Step:
    t = ctx.ticket
    if not merging.rating_open(t, ctx.at):
        raise ctx.refuse("", _l("There is no reply to rate on the complaint this one was merged into."))
    rating, solved = read_rating(ctx)
    record_rating(t, rating, solved, ctx.text("comment"), ctx.at)
    into = merging.surviving(t)
    return Step(None, t.rating_comment, data={"rating": rating.value, "solved": solved, "into": into.tracking_no})


@transition(
    "reopen",
    _l("Reopened for re-handling"),
    {S.RATING_REVIEW},
    {"supervisor"},
    fields=(
        note_field(_l("Say what the unit must handle again."), "What the unit must handle again."),
        handle_days_field(
            _l("Leave empty to give the ticket's usual time limit again."),
            "Working days to handle; empty for the ticket's usual limit.",
        ),
    ),
    audience=("unit", "enterprise", "filer"),
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
    merging.pass_on_reopen(t, ctx.at)  # the filers of complaints merged into this one are told too
    return Step(S.IN_PROGRESS, note, public=True, data={"handle_due": t.handle_due.isoformat()})


@transition(
    "uphold",
    _l("Unit's appeal upheld"),
    {S.RATING_REVIEW},
    {"supervisor"},
    fields=(note_field(_l("Give the reason for upholding the unit's appeal."), "Why the unit's appeal is upheld."),),
    audience=("unit", "enterprise", "filer"),
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
