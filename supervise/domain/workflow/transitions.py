"""The ticket's transitions: for each action, where it may start, who may make it, what it accepts,
who is told, and what it does. Here the fields several actions share, and acceptance and dispatch;
``handling``, ``rating`` and ``oversight`` declare the rest; see ``engine`` for how they run."""

from typing import Any

from flask_babel import lazy_gettext as _l

from supervise import labels
from supervise.domain import deadlines, routing
from supervise.domain.workflow.engine import Context, Step, transition
from supervise.domain.workflow.fields import (
    CHOICE,
    DATE_YEARS,
    INT,
    NOTE_MAX,
    TEXT_MAX,
    TEXTAREA,
    UNIT,
    UNITS,
    Param,
)
from supervise.extensions import db
from supervise.models import (
    LimitClass,
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


def handle_days_field(description: Any, doc: str) -> Param:
    """The working days to handle, 1 to ``HANDLE_DAYS_MAX``."""
    return Param(
        "handle_days", INT, _l("Working days to handle"), min=1, max=HANDLE_DAYS_MAX, description=description, doc=doc
    )


_CHOOSE_UNIT = _l("Choose an active unit to handle the ticket.")
_CHOOSE_CO_UNITS = _l("Choose co-handling units among the active units that handle tickets.")


def _unit(ctx: Context) -> Unit:
    """The unit chosen as lead: one that handles tickets (active, and not the office)."""
    ident = parse_id(str(ctx.data.get("unit_id") or ""))
    unit = db.session.get(Unit, ident) if ident else None
    if unit is None or not unit.handles_tickets:
        raise ctx.refuse("unit_id", _CHOOSE_UNIT)
    return unit


def _co_units(ctx: Context, lead: Unit) -> list[Unit]:
    """The co-handling units chosen (``co_unit_ids``; absent: the category's): units that handle tickets,
    the lead unit left out (it leads, it does not help)."""
    chosen = ctx.data.get("co_unit_ids")
    if chosen is None:
        return routing.co_units_for(ctx.ticket.category, lead)
    units: list[Unit] = []
    for raw in chosen:
        ident = parse_id(str(raw))
        unit = db.session.get(Unit, ident) if ident else None
        if unit is None or not unit.handles_tickets:
            raise ctx.refuse("co_unit_ids", _CHOOSE_CO_UNITS)
        if unit != lead and unit not in units:
            units.append(unit)
    return units


def _dispatch_to(ctx: Context, unit: Unit, restart_clock: bool = True) -> dict:
    t = ctx.ticket
    co_units = _co_units(ctx, unit)  # first: a refused choice changes nothing
    limit = ctx.data.get("limit_class") or t.category.limit_class
    limit = LimitClass(getattr(limit, "value", limit))
    t.limit_class = limit
    t.handle_days = int(ctx.data.get("handle_days") or deadlines.handle_days_for(limit))
    t.lead_unit = unit
    t.co_units = co_units
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
    audience=("unit", "enterprise", "filer"),
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
            "co_unit_ids",
            UNITS,
            _l("Co-handling units"),
            nullable=True,
            message=_CHOOSE_CO_UNITS,
            description=_l("Units that help the lead unit; the lead unit itself is never also a co-handling unit."),
            doc=(
                "Ids of the co-handling units (units that handle tickets; the lead unit is left out). "
                "Absent or null: the category's co-handling units; [] for none."
            ),
        ),
        Param(
            "limit_class",
            CHOICE,
            _l("Time-limit class"),
            choices={k.value: v for k, v in labels.LIMIT_CLASS.items()},
            doc="The time-limit class; absent for the category's.",
        ),
        handle_days_field(
            _l("Leave empty to use the time-limit class."), "Working days to handle; empty for the time-limit class's."
        ),
        note_field(),
    ),
    audience=("unit", "enterprise", "filer"),
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
    audience=("enterprise", "filer"),
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
