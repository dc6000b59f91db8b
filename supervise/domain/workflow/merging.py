"""After a merge (并单): the filer of a complaint merged into another follows that ticket, hears its
reply and rates it, on their own ticket.

The merged ticket stays in its final state (merged): each reply sent on the surviving ticket is written
on the merged ticket's timeline (masked: the surviving ticket may be another company's) and told to its
enterprise, and the enterprise may rate each such reply once, within the usual rating time (the
``rate_merged`` transition, in ``rating``). The rating is the merged ticket's own (``rating``,
``first_rating``), counted once in the measures; it moves no state.
"""

from datetime import datetime

from sqlalchemy import select

from supervise.domain import deadlines
from supervise.domain.redaction import redact, terms_for
from supervise.domain.workflow.engine import claim, record
from supervise.extensions import db
from supervise.models import State, Ticket

S = State
#: The event written on a merged ticket when the ticket it was merged into is replied to.
MERGED_REPLY = "merged_reply"
#: The event written on a merged ticket when the ticket it was merged into is reopened for re-handling.
MERGED_REOPENED = "merged_reopened"
_MAX_CHAIN = 10  # a merged ticket merged again: follow the chain, never round a loop


def surviving(ticket: Ticket) -> Ticket | None:
    """The ticket that handles ``ticket``'s complaint after a merge (following merges of merges)."""
    found, hops = ticket.merged_into, 0
    while found is not None and found.merged_into is not None and hops < _MAX_CHAIN:
        found, hops = found.merged_into, hops + 1
    return found


def merged_into(ticket: Ticket) -> list[Ticket]:
    """The tickets merged into ``ticket`` (directly or through merges of merges), oldest first."""
    found: list[Ticket] = []
    wave = [ticket.id]
    for _hop in range(_MAX_CHAIN):
        wave_tickets = list(
            db.session.scalars(select(Ticket).where(Ticket.merged_into_id.in_(wave)).order_by(Ticket.id))
        )
        if not wave_tickets:
            break
        found += wave_tickets
        wave = [t.id for t in wave_tickets]
    return found


def reply_text_for_merged(survivor: Ticket) -> str:
    """The surviving ticket's reply as the filer of a merged complaint reads it: masked like a public text."""
    return redact(survivor.reply_text, terms_for(survivor))


def pass_on_reply(survivor: Ticket, at: datetime) -> None:
    """Write the reply just sent on ``survivor`` on the timeline of every ticket merged into it; its
    enterprise is told (``notify.AUDIENCE``) and may rate it."""
    text = reply_text_for_merged(survivor)
    outcome = survivor.reply_outcome.value if survivor.reply_outcome else None
    for merged in merged_into(survivor):
        claim(merged)
        record(
            merged,
            MERGED_REPLY,
            None,
            merged.state,
            merged.state,
            at,
            note=text,
            data={"into": survivor.tracking_no, "outcome": outcome},
        )


def pass_on_reopen(survivor: Ticket, at: datetime) -> None:
    """The surviving ticket is handled again (its filer was not satisfied): every ticket merged into it
    hears so, with the new due date; its earlier reply stays rated as it was."""
    due = survivor.handle_due.isoformat() if survivor.handle_due else None
    for merged in merged_into(survivor):
        claim(merged)
        data = {"into": survivor.tracking_no, "due": due}
        record(merged, MERGED_REOPENED, None, merged.state, merged.state, at, data=data)


def rating_open(ticket: Ticket, at: datetime) -> bool:
    """May the enterprise rate merged ``ticket`` now: a reply was sent on the surviving ticket, within
    the rating time of that reply, and this reply is not rated yet."""
    survivor = surviving(ticket) if ticket.state == S.MERGED else None
    if survivor is None or survivor.approved_at is None:
        return False
    if ticket.rated_at is not None and ticket.rated_at >= survivor.approved_at:
        return False
    return at <= deadlines.rate_due_after(survivor.approved_at)
