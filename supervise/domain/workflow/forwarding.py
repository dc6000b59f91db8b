"""Cross-zone forwarding (跨域转办): a supervisor hands a ticket whose responsible party is in another
zone to that zone's platform. The ticket leaves the local units for good (its clocks stop, as at a
merge); a :class:`~supervise.models.Forwarding` row, written in the same transaction, is the outbox
the delivery job posts to the peer (``supervise.jobs.forwarding``). Registered after ``oversight``."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from supervise.domain import clocks
from supervise.domain.workflow.engine import Context, Step, transition
from supervise.domain.workflow.fields import CHOICE, Param
from supervise.domain.workflow.transitions import note_field
from supervise.extensions import db
from supervise.models import Forwarding, Peer, State

S = State
# Where dispatch is possible: the ticket has not gone to work at a local unit yet.
FORWARDABLE = frozenset({S.AWAITING_DISPATCH, S.RETURNED, S.DISPATCHED})


def active_peers() -> dict[str, str]:
    """Active peers as choices: id -> "name (zone)"."""
    peers = db.session.scalars(select(Peer).where(Peer.active.is_(True)).order_by(Peer.name))
    return {str(p.id): f"{p.name} ({p.zone})" for p in peers}


@transition(
    "forward",
    _l("Forwarded to another zone"),
    FORWARDABLE,
    {"supervisor"},
    fields=(
        Param(
            "peer_id",
            CHOICE,
            _l("Platform of the other zone"),
            required=True,
            choices=active_peers,
            message=_l("Choose the platform to forward to."),
            doc="The id of an active peer platform (see the administrators' peers page).",
        ),
        note_field(_l("Say why the ticket belongs to the other zone."), "Why the ticket belongs to the other zone."),
    ),
    audience=("enterprise", "unit"),
    refresh_search=False,
    enterprise_sees=True,
)
def _forward(ctx: Context) -> Step:
    t = ctx.ticket
    peer = db.session.get(Peer, int(ctx.data["peer_id"])) if str(ctx.data.get("peer_id") or "").isdigit() else None
    if peer is None or not peer.active:
        raise ctx.refuse("peer_id")
    code = (peer.service_codes or {}).get(str(t.category_id))
    if not code:
        raise ctx.refuse("peer_id", _l("That platform has no service for this ticket's category."))
    if t.forwarding is not None:
        raise ctx.refuse("peer_id", _l("This ticket was forwarded already."))
    note = ctx.text("note")
    clocks.mark_overdue(t, ctx.at)  # judged before the forward stops every clock
    t.closed_at = ctx.at
    # No local unit handles it any more: the measures count it as forwarded, in no unit's cell.
    t.lead_unit = None
    t.co_units = []
    t.forwarding = Forwarding(peer=peer, service_code=code, next_attempt_at=ctx.at)
    return Step(S.FORWARDED, note, public=True, data={"peer": peer.name, "zone": peer.zone})
