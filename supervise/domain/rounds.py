"""Closed-loop supervision rounds (闭环督导): a round inspects units against a checklist, scores each
unit on each item, records its findings as ledger items (source ``round``), and verifies the items the
previous round found — confirmed rectified, or reopened. Functions take the acting user and never commit.
"""

from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise.domain import ledger
from supervise.domain.clock import now
from supervise.domain.ledger import LedgerError
from supervise.extensions import db
from supervise.models import (
    LedgerItem,
    LedgerSource,
    Role,
    RoundScore,
    RoundVerification,
    SupervisionRound,
    Unit,
    User,
)

#: The checklist every round scores each unit on (key → label); the office's four headings.
CHECKLIST = {
    "responsibility": _l("Main responsibility carried out"),  # 主体责任落实
    "rectification": _l("Problems rectified"),  # 问题整改落实
    "mechanism": _l("Working mechanisms in place"),  # 工作机制建立
    "publicity": _l("Publicity and training"),  # 宣传培训
}
MAX_SCORE = 100


def _supervisor(by: User) -> None:
    if by.role != Role.SUPERVISOR:
        raise LedgerError(_l("Only the office runs supervision rounds."), forbidden=True)


def latest_round() -> SupervisionRound | None:
    return db.session.scalar(select(SupervisionRound).order_by(SupervisionRound.id.desc()).limit(1))


def create_round(
    by: User, name: str, start: date, end: date, units: Iterable[Unit], at: datetime | None = None
) -> SupervisionRound:
    """A new round of ``units`` over ``start``–``end``; it verifies the findings of the round before it."""
    _supervisor(by)
    name = (name or "").strip()[:100]
    units = list(units)
    if not name:
        raise LedgerError(_l("Give the round a name."))
    if end < start:
        raise LedgerError(_l("The period ends before it starts."))
    if not units:
        raise LedgerError(_l("Choose the units inspected."))
    round_ = SupervisionRound(
        name=name,
        period_start=start,
        period_end=end,
        previous=latest_round(),
        units=units,
        created_by_id=by.id,
        created_at=at or now(),
    )
    db.session.add(round_)
    return round_


def score(
    by: User, round_: SupervisionRound, unit: Unit, item: str, value: int, note: str = "", at: datetime | None = None
) -> RoundScore:
    """Set ``unit``'s score (0–100) on checklist ``item`` in ``round_`` (a second score replaces the first)."""
    _supervisor(by)
    if item not in CHECKLIST:
        raise LedgerError(_l("No such checklist item."))
    if unit not in round_.units:
        raise LedgerError(_l("This unit is not inspected in this round."))
    if not 0 <= value <= MAX_SCORE:
        raise LedgerError(_l("A score is from 0 to 100."))
    found = next((s for s in round_.scores if s.unit_id == unit.id and s.item == item), None)
    if found is None:
        found = RoundScore(unit_id=unit.id, item=item)
        round_.scores.append(found)
    found.score, found.note = value, (note or "").strip()[:300] or None
    found.scored_by_id, found.scored_at = by.id, at or now()
    return found


def grid(round_: SupervisionRound) -> dict[tuple[int, str], RoundScore]:
    """The round's scores by (unit id, checklist item)."""
    return {(s.unit_id, s.item): s for s in round_.scores}


def totals(round_: SupervisionRound) -> dict[int, float]:
    """Each unit's mean score over the items scored."""
    per_unit: dict[int, list[int]] = {}
    for s in round_.scores:
        per_unit.setdefault(s.unit_id, []).append(s.score)
    return {unit_id: round(sum(v) / len(v), 1) for unit_id, v in per_unit.items()}


def add_finding(
    by: User,
    round_: SupervisionRound,
    unit: Unit,
    title: str,
    deadline: date,
    description: str = "",
    at: datetime | None = None,
) -> LedgerItem:
    """A problem the round found at ``unit``: a ledger item of source ``round``, linked to the round."""
    _supervisor(by)
    if unit not in round_.units:
        raise LedgerError(_l("This unit is not inspected in this round."))
    return ledger.create_item(
        by, LedgerSource.ROUND, title, unit, deadline, description=description, round_=round_, at=at
    )


def findings(round_: SupervisionRound) -> list[LedgerItem]:
    """The items the round found, with their unit."""
    return list(
        db.session.scalars(
            select(LedgerItem)
            .where(LedgerItem.round_id == round_.id)
            .options(selectinload(LedgerItem.unit))
            .order_by(LedgerItem.id)
        )
    )


def to_verify(round_: SupervisionRound) -> list[tuple[LedgerItem, RoundVerification | None]]:
    """The previous round's findings, each with this round's verification of it (None: not yet)."""
    if round_.previous_id is None:
        return []
    done = {
        v.item_id: v
        for v in db.session.scalars(select(RoundVerification).where(RoundVerification.round_id == round_.id))
    }
    return [(item, done.get(item.id)) for item in findings(round_.previous)]


def verify(
    by: User, round_: SupervisionRound, item: LedgerItem, confirmed: bool, note: str = "", at: datetime | None = None
) -> RoundVerification:
    """``round_`` checks an item of the previous round: confirmed (it must be closed), or not — a closed
    item is reopened, one still open stays open with the note on record. Once per round and item."""
    _supervisor(by)
    if round_.previous_id is None or item.round_id != round_.previous_id:
        raise LedgerError(_l("This round verifies only the previous round's findings."))
    note = (note or "").strip()[: ledger.TEXT_MAX]
    if confirmed and item.state != ledger.CLOSED:
        raise LedgerError(_l("Only a closed item can be confirmed as rectified."))
    if not confirmed and not note:
        raise LedgerError(_l("Say what the verification found."))
    exists = db.session.scalar(
        select(RoundVerification).where(RoundVerification.round_id == round_.id, RoundVerification.item_id == item.id)
    )
    if exists is not None:
        raise LedgerError(_l("This item has been verified in this round already."))
    at = at or now()
    if not confirmed and item.state == ledger.CLOSED:
        ledger.reopen(item, by, note, at)
    verification = RoundVerification(
        round_id=round_.id, item=item, confirmed=confirmed, note=note or None, by_id=by.id, at=at
    )
    db.session.add(verification)
    return verification
