"""Closed-loop supervision rounds: checklist scores per unit, findings that become ledger items of the
round, and the next round's verification of them (confirmed, or the item reopened)."""

from datetime import date

import pytest

from supervise.domain import ledger, rounds
from supervise.domain.ledger import LedgerError
from supervise.extensions import db
from supervise.models import LedgerSource, LedgerState
from tests.test_ledger import _upload

START, END = date(2026, 4, 1), date(2026, 4, 27)


def _round(world, name="第一轮闭环督导"):
    found = rounds.create_round(world.supervisor, name, START, END, [world.edu, world.hr])
    db.session.flush()
    return found


def _closed_finding(world, round_):
    item = rounds.add_finding(world.supervisor, round_, world.edu, "营商环境工作专班未按月召开例会", date(2026, 5, 31))
    ledger.submit(item, world.handler, "已建立月度例会制度", [_upload()])
    ledger.accept(item, world.supervisor, "", "教育部门建立了月度例会制度。")
    db.session.flush()
    return item


def test_a_round_scores_each_unit_on_each_checklist_item(world):
    round_ = _round(world)
    rounds.score(world.supervisor, round_, world.edu, "responsibility", 90)
    rounds.score(world.supervisor, round_, world.edu, "rectification", 70)
    rounds.score(world.supervisor, round_, world.edu, "rectification", 80)  # a second score replaces the first
    assert rounds.grid(round_)[(world.edu.id, "rectification")].score == 80
    assert rounds.totals(round_) == {world.edu.id: 85.0}


@pytest.mark.parametrize(
    "unit, item, value", [("street", "responsibility", 80), ("edu", "no-such-item", 80), ("edu", "mechanism", 101)]
)
def test_a_score_outside_the_round_or_the_scale_is_refused(world, unit, item, value):
    round_ = _round(world)
    with pytest.raises(LedgerError):
        rounds.score(world.supervisor, round_, getattr(world, unit), item, value)


def test_only_supervisors_run_rounds(world):
    with pytest.raises(LedgerError) as err:
        rounds.create_round(world.handler, "自行督导", START, END, [world.edu])
    assert err.value.forbidden
    round_ = _round(world)
    with pytest.raises(LedgerError):
        rounds.score(world.leader, round_, world.edu, "publicity", 100)


def test_a_finding_becomes_a_ledger_item_of_the_round(world):
    round_ = _round(world)
    item = rounds.add_finding(world.supervisor, round_, world.edu, "宣传培训覆盖不足", date(2026, 5, 31))
    assert (item.source, item.round_id, item.unit_id, item.state) == (
        LedgerSource.ROUND,
        round_.id,
        world.edu.id,
        LedgerState.RECTIFYING,
    )
    assert rounds.findings(round_) == [item]
    with pytest.raises(LedgerError):
        rounds.add_finding(world.supervisor, round_, world.street, "未被督导的单位", date(2026, 5, 31))


def test_the_next_round_verifies_the_previous_rounds_findings(world):
    first = _round(world)
    confirmed, reopened = _closed_finding(world, first), _closed_finding(world, first)
    second = _round(world, "第二轮闭环督导")
    assert second.previous_id == first.id
    assert [item for item, done in rounds.to_verify(second)] == [confirmed, reopened]
    rounds.verify(world.supervisor, second, confirmed, True)
    rounds.verify(world.supervisor, second, reopened, False, "例会记录缺失，制度未落实")
    db.session.flush()
    assert confirmed.state == LedgerState.CLOSED
    assert reopened.state == LedgerState.RECTIFYING and reopened.closed_at is None
    assert reopened.events[-1].action == "reopen" and reopened.events[-1].note == "例会记录缺失，制度未落实"
    assert [done.confirmed for _item, done in rounds.to_verify(second)] == [True, False]


def test_a_verification_is_once_per_round_and_only_of_the_previous_rounds_items(world):
    first = _round(world)
    item = _closed_finding(world, first)
    second = _round(world, "第二轮")
    rounds.verify(world.supervisor, second, item, True)
    with pytest.raises(LedgerError):
        rounds.verify(world.supervisor, second, item, True)
    third = _round(world, "第三轮")
    with pytest.raises(LedgerError):
        rounds.verify(world.supervisor, third, item, True)  # not the previous round's


def test_an_open_item_cannot_be_confirmed_and_a_failure_needs_a_note(world):
    first = _round(world)
    item = rounds.add_finding(world.supervisor, first, world.edu, "问题", date(2026, 5, 31))
    second = _round(world, "第二轮")
    with pytest.raises(LedgerError):
        rounds.verify(world.supervisor, second, item, True)
    with pytest.raises(LedgerError):
        rounds.verify(world.supervisor, second, item, False, "")
    rounds.verify(world.supervisor, second, item, False, "仍在整改")
    assert item.state == LedgerState.RECTIFYING
