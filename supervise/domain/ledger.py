"""The rectification ledger's rules, in one place: its states, who may move an item from which state to
which, the history every move writes, evidence, deadline warnings, and the counts the office and the
public read.

整改中 (rectifying) → 待验收 (awaiting acceptance): the lead unit's staff submit, with evidence.
待验收 → 已销号 (closed): a supervisor accepts the rectification (销号), with a note and the public summary.
待验收 → 整改中: a supervisor sends it back (退回), saying why.
已销号 → 整改中: a later supervision round finds the problem not rectified (reopened).
Supervisors create items and assign them (lead unit, deadline). Functions take the acting user,
change the session and never commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select

from supervise import storage
from supervise.domain import duties, notify, redaction
from supervise.domain.calendar import WorkingCalendar
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import (
    Enterprise,
    LedgerEvent,
    LedgerEvidence,
    LedgerItem,
    LedgerSource,
    LedgerState,
    Role,
    SupervisionRound,
    Ticket,
    Unit,
    User,
)

RECTIFYING, AWAITING, CLOSED = LedgerState.RECTIFYING, LedgerState.AWAITING_ACCEPTANCE, LedgerState.CLOSED
UNIT_STAFF = frozenset({Role.HANDLER, Role.LEADER})
SUBJECT = "ledger_item"  # the duty warnings' subject
TEXT_MAX = 2000

STATE_LABELS = {
    RECTIFYING: _l("Rectifying"),
    AWAITING: _l("Awaiting sign-off"),
    CLOSED: _l("Rectified and closed"),
}
SOURCE_LABELS = {
    LedgerSource.PROVINCIAL: _l("Provincial feedback"),
    LedgerSource.SELF_INSPECTION: _l("Self-inspection"),
    LedgerSource.ROUND: _l("Supervision round"),
    LedgerSource.COMPLAINT: _l("Complaint pattern"),
}


@dataclass(frozen=True)
class Move:
    """One transition: from which states, to which, and who may make it (``unit``: the lead unit's staff)."""

    sources: frozenset[LedgerState]
    target: LedgerState
    by: str  # "unit" | "supervisor"
    label: object


#: Every move of an item, the one table the views, the templates and the tests ask.
ACTIONS: dict[str, Move] = {
    "submit": Move(frozenset({RECTIFYING}), AWAITING, "unit", _l("Submitted for acceptance")),
    "accept": Move(frozenset({AWAITING}), CLOSED, "supervisor", _l("Accepted and closed")),
    "send_back": Move(frozenset({AWAITING}), RECTIFYING, "supervisor", _l("Sent back")),
    "reopen": Move(frozenset({CLOSED}), RECTIFYING, "supervisor", _l("Reopened by verification")),
    "assign": Move(frozenset({RECTIFYING}), RECTIFYING, "supervisor", _l("Assigned")),
}
CREATE_LABEL = _l("Recorded in the ledger")


class LedgerError(Exception):
    """A move refused: ``message`` says why, in the reader's language; ``forbidden`` when it is about who."""

    def __init__(self, message, forbidden: bool = False):
        super().__init__(str(message))
        self.message = message
        self.forbidden = forbidden


def action_label(action: str) -> object:
    return CREATE_LABEL if action == "create" else ACTIONS[action].label


def is_unit_staff(user: User, item: LedgerItem) -> bool:
    """``user`` works for the item's lead unit."""
    return user.role in UNIT_STAFF and user.unit_id is not None and user.unit_id == item.unit_id


def may_see(user: User, item: LedgerItem) -> bool:
    """Supervisors see every item; a unit's staff only their unit's."""
    return user.role == Role.SUPERVISOR or is_unit_staff(user, item)


def may(user: User, item: LedgerItem, action: str) -> bool:
    """May ``user`` make ``action`` on ``item`` now (its state allows it, and it is theirs to make)?"""
    move = ACTIONS[action]
    if item.state not in move.sources:
        return False
    return user.role == Role.SUPERVISOR if move.by == "supervisor" else is_unit_staff(user, item)


def _check(user: User, item: LedgerItem, action: str) -> Move:
    move = ACTIONS[action]
    allowed_person = user.role == Role.SUPERVISOR if move.by == "supervisor" else is_unit_staff(user, item)
    if not allowed_person:
        raise LedgerError(_l("You may not do this to this item."), forbidden=True)
    if item.state not in move.sources:
        raise LedgerError(_l("This item is %(state)s: this cannot be done now.", state=STATE_LABELS[item.state]))
    return move


def _record(item: LedgerItem, action: str, by: User, at: datetime, note: str | None, before=None) -> LedgerEvent:
    event = LedgerEvent(action=action, from_state=before, to_state=item.state, by_id=by.id, at=at, note=note or None)
    item.events.append(event)
    return event


def _text(value: str | None, required: bool = False, what=None) -> str:
    value = (value or "").strip()[:TEXT_MAX]
    if required and not value:
        raise LedgerError(what)
    return value


def create_item(
    by: User,
    source: LedgerSource,
    title: str,
    unit: Unit,
    deadline: date,
    description: str = "",
    measures: str = "",
    round_: SupervisionRound | None = None,
    tickets: Iterable[Ticket] = (),
    at: datetime | None = None,
) -> LedgerItem:
    """A supervisor records a problem for ``unit`` to rectify by ``deadline`` (state 整改中)."""
    if by.role != Role.SUPERVISOR:
        raise LedgerError(_l("Only the office records problems in the ledger."), forbidden=True)
    title = _text(title, True, _l("Give the problem a title."))[:200]
    if not unit.handles_tickets:
        raise LedgerError(_l("Choose an active unit to lead the rectification."))
    if source == LedgerSource.ROUND and round_ is None:
        raise LedgerError(_l("A finding belongs to a supervision round."))
    at = at or now()
    item = LedgerItem(
        source=source,
        title=title,
        description=_text(description),
        unit=unit,
        unit_id=unit.id,
        measures=_text(measures),
        deadline=deadline,
        state=RECTIFYING,
        round=round_,
        round_id=round_ and round_.id,
        created_by_id=by.id,
        created_at=at,
        tickets=list(tickets),
    )
    db.session.add(item)
    _record(item, "create", by, at, None)
    return item


def assign(item: LedgerItem, by: User, unit: Unit, deadline: date, note: str = "", at: datetime | None = None) -> None:
    """A supervisor gives an open item another lead unit or deadline."""
    _check(by, item, "assign")
    if not unit.handles_tickets:
        raise LedgerError(_l("Choose an active unit to lead the rectification."))
    at = at or now()
    duties.resolve(SUBJECT, item.id, item.deadline.isoformat(), at)
    item.unit, item.unit_id, item.deadline = unit, unit.id, deadline
    _record(item, "assign", by, at, _text(note) or f"{unit.name} · {deadline.isoformat()}", RECTIFYING)


def add_evidence(
    item: LedgerItem, by: User, upload: storage.CheckedUpload, at: datetime | None = None
) -> LedgerEvidence:
    """Store one checked file as the item's evidence (the lead unit's staff, while it is theirs to act on)."""
    if not is_unit_staff(by, item):
        raise LedgerError(_l("You may not do this to this item."), forbidden=True)
    evidence = LedgerEvidence(
        filename=upload.filename,
        stored_name=storage.write(upload),
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by_id=by.id,
        uploaded_at=at or now(),
    )
    item.evidence.append(evidence)
    return evidence


def submit(
    item: LedgerItem,
    by: User,
    measures: str,
    uploads: Iterable[storage.CheckedUpload] = (),
    at: datetime | None = None,
) -> LedgerEvent:
    """The lead unit says what it did and submits the item for acceptance; it needs evidence (a file now
    or one given before)."""
    _check(by, item, "submit")
    measures = _text(measures, True, _l("Say what was done to rectify the problem."))
    at = at or now()
    for upload in uploads:
        add_evidence(item, by, upload, at)
    if not item.evidence:
        raise LedgerError(_l("Attach at least one file as evidence of the rectification."))
    item.measures, item.state, item.submitted_at = measures, AWAITING, at
    duties.resolve(SUBJECT, item.id, item.deadline.isoformat(), at)
    event = _record(item, "submit", by, at, measures, RECTIFYING)
    _tell_supervisors(item, _("Rectification submitted for acceptance"))
    return event


def accept(item: LedgerItem, by: User, note: str, public_summary: str, at: datetime | None = None) -> LedgerEvent:
    """A supervisor accepts the rectification: the item is closed (销号), with the public's summary."""
    _check(by, item, "accept")
    summary = _text(public_summary, True, _l("Write the summary the public reads."))
    named = enterprises_named_in(summary)
    if named:
        raise LedgerError(_l("The public summary names an enterprise (%(name)s): describe it instead.", name=named[0]))
    at = at or now()
    item.state, item.closed_by_id, item.closed_at = CLOSED, by.id, at
    item.closure_note, item.public_summary = _text(note) or None, summary
    event = _record(item, "accept", by, at, item.closure_note, AWAITING)
    _tell_unit(item, _("Rectification accepted and closed"))
    return event


def send_back(item: LedgerItem, by: User, reason: str, at: datetime | None = None) -> LedgerEvent:
    """A supervisor sends the item back to 整改中, saying why; the lead unit is told."""
    _check(by, item, "send_back")
    reason = _text(reason, True, _l("Say why the rectification is sent back: the unit is told."))
    item.state, item.submitted_at = RECTIFYING, None
    event = _record(item, "send_back", by, at or now(), reason, AWAITING)
    _tell_unit(item, _("Rectification sent back: %(reason)s", reason=reason))
    return event


def reopen(item: LedgerItem, by: User, reason: str, at: datetime | None = None) -> LedgerEvent:
    """A closed item found not rectified (by a later round): back to 整改中, no longer closed."""
    _check(by, item, "reopen")
    reason = _text(reason, True, _l("Say what the verification found."))
    item.state, item.closed_at, item.closed_by_id, item.submitted_at = RECTIFYING, None, None, None
    event = _record(item, "reopen", by, at or now(), reason, CLOSED)
    _tell_unit(item, _("Rectification reopened: %(reason)s", reason=reason))
    return event


def _tell_unit(item: LedgerItem, text: str) -> None:
    if notify.is_suppressed():
        return
    title = item.title
    for user in duties.audience(item.unit_id, "yellow"):
        notify.tell_user(f"ledger:{item.id}:{len(item.events)}", user, lambda: (title, text), f"/unit/ledger/{item.id}")


def _tell_supervisors(item: LedgerItem, text: str) -> None:
    if notify.is_suppressed():
        return
    title = item.title
    for user in duties.audience(None, "red"):
        notify.tell_user(
            f"ledger:{item.id}:{len(item.events)}", user, lambda: (title, text), f"/console/ledger/{item.id}"
        )


def enterprises_named_in(text: str) -> list[str]:
    """The registered enterprises whose name appears in ``text`` (a public text must name none)."""
    return list(db.session.scalars(select(Enterprise.name).where(literal(text).contains(Enterprise.name)).limit(3)))


def public_summary(item: LedgerItem) -> str:
    """The closed item's summary as the public reads it: masked like every public text (identifiers, the
    names and aliases of the enterprises of its linked complaints)."""
    terms: list[str] = []
    for ticket in item.tickets:
        terms += redaction.identity_terms(ticket.enterprise.redaction_terms(), [], (ticket.contact_name,))
    return redaction.redact(item.public_summary, terms)


# ---------------------------------------------------------------- deadlines


def warn_late(at: datetime, cal: WorkingCalendar) -> int:
    """Warn the lead unit of every item still 整改中 past its deadline (the supervisors too at red),
    once per level and deadline; returns how many warnings were raised."""
    late = db.session.scalars(
        select(LedgerItem)
        .where(LedgerItem.state == RECTIFYING, LedgerItem.deadline < at.date())
        .order_by(LedgerItem.deadline, LedgerItem.id)
    )
    raised = 0
    for item in late:
        title, due = item.title, item.deadline.isoformat()

        def compose(title=title, due=due):
            return (
                _("Rectification overdue: %(title)s", title=title),
                _("The rectification was due on %(due)s. Submit it with evidence.", due=due),
            )

        level = duties.warn(SUBJECT, item.id, item.deadline, at, cal, compose, f"/unit/ledger/{item.id}", item.unit_id)
        raised += level is not None
    return raised


def is_overdue(item: LedgerItem, today: date) -> bool:
    return item.state == RECTIFYING and item.deadline < today


# ---------------------------------------------------------------- counts


def counts(*conditions) -> dict[tuple[LedgerSource, LedgerState], int]:
    """Items per (source, state): one grouped query on the (source, state) index."""
    rows = db.session.execute(
        select(LedgerItem.source, LedgerItem.state, func.count())
        .where(*conditions)
        .group_by(LedgerItem.source, LedgerItem.state)
    )
    return {(source, state): n for source, state, n in rows}


@dataclass(frozen=True)
class Progress:
    """Rectification progress of one source (or all): closed of total."""

    label: object
    closed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


def progress(found: dict[tuple[LedgerSource, LedgerState], int]) -> tuple[Progress, list[Progress]]:
    """The overall progress and each source's, from :func:`counts`; sources without items left out."""
    per_source = []
    for source in LedgerSource:
        total = sum(n for (s, _state), n in found.items() if s == source)
        if total:
            per_source.append(Progress(SOURCE_LABELS[source], found.get((source, CLOSED), 0), total))
    overall = Progress(_l("All sources"), sum(p.closed for p in per_source), sum(p.total for p in per_source))
    return overall, per_source
