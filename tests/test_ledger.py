"""The rectification ledger: each move by the allowed role only, a sent-back item back to 整改中 with its
reason, evidence required, late items warned once, another unit neither sees nor moves an item, and the
public page's counts and masking."""

import io
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from supervise import storage
from supervise.domain import ledger
from supervise.domain.calendar import WorkingCalendar
from supervise.domain.clock import frozen
from supervise.domain.ledger import LedgerError
from supervise.extensions import db
from supervise.jobs import periodic
from supervise.jobs.schedule import SCHEDULE
from supervise.models import DutyAlert, LedgerItem, LedgerSource, LedgerState, OutboxMessage
from tests.factories import PDF_BYTES, file_ticket

DEADLINE = date(2026, 12, 4)  # a Friday


def _upload(name="整改照片.pdf"):
    return storage.check_upload(FileStorage(io.BytesIO(PDF_BYTES), filename=name))


def _item(world, source=LedgerSource.PROVINCIAL, title="企业开办环节材料重复提交", **kwargs) -> LedgerItem:
    item = ledger.create_item(world.supervisor, source, title, world.edu, DEADLINE, **kwargs)
    db.session.flush()
    return item


def _submitted(world) -> LedgerItem:
    item = _item(world)
    ledger.submit(item, world.handler, "已精简材料清单，实行一表申请。", [_upload()])
    db.session.flush()
    return item


def _closed(world, summary="企业开办材料由12项精简为5项，实行一表申请、一窗受理。") -> LedgerItem:
    item = _submitted(world)
    ledger.accept(item, world.supervisor, "现场核验属实", summary)
    db.session.flush()
    return item


# ---------------------------------------------------------------- the state machine, rule by rule


def test_a_new_item_is_rectifying_with_its_creation_in_the_history(world):
    item = _item(world)
    assert item.state == LedgerState.RECTIFYING
    assert [(e.action, e.to_state, e.by_id) for e in item.events] == [
        ("create", LedgerState.RECTIFYING, world.supervisor.id)
    ]


@pytest.mark.parametrize("who", ["handler", "leader", "hr_handler", "enterprise_user", "admin", "cadre"])
def test_only_supervisors_record_problems(world, who):
    with pytest.raises(LedgerError) as err:
        ledger.create_item(getattr(world, who), LedgerSource.PROVINCIAL, "问题", world.edu, DEADLINE)
    assert err.value.forbidden


@pytest.mark.parametrize("who", ["handler", "leader"])
def test_the_lead_units_staff_submit_with_evidence(world, who):
    item = _item(world)
    ledger.submit(item, getattr(world, who), "已整改", [_upload()])
    assert item.state == LedgerState.AWAITING_ACCEPTANCE
    assert len(item.evidence) == 1 and item.submitted_at is not None
    assert item.events[-1].action == "submit" and item.events[-1].from_state == LedgerState.RECTIFYING


@pytest.mark.parametrize("who", ["hr_handler", "supervisor", "enterprise_user", "admin", "cadre"])
def test_nobody_else_submits(world, who):
    item = _item(world)
    with pytest.raises(LedgerError) as err:
        ledger.submit(item, getattr(world, who), "已整改", [_upload()])
    assert err.value.forbidden and item.state == LedgerState.RECTIFYING


def test_a_submission_without_evidence_is_refused(world):
    item = _item(world)
    with pytest.raises(LedgerError) as err:
        ledger.submit(item, world.handler, "已整改", [])
    assert not err.value.forbidden and item.state == LedgerState.RECTIFYING


def test_a_submission_without_measures_is_refused(world):
    item = _item(world)
    with pytest.raises(LedgerError):
        ledger.submit(item, world.handler, "  ", [_upload()])


def test_a_supervisor_accepts_and_closes(world):
    item = _closed(world)
    assert item.state == LedgerState.CLOSED
    assert (item.closed_by_id, item.closure_note) == (world.supervisor.id, "现场核验属实")
    assert item.public_summary.startswith("企业开办材料")


@pytest.mark.parametrize("who", ["handler", "leader", "hr_handler", "enterprise_user", "admin"])
def test_nobody_else_accepts_or_sends_back(world, who):
    item = _submitted(world)
    for move in (
        lambda: ledger.accept(item, getattr(world, who), "", "摘要"),
        lambda: ledger.send_back(item, getattr(world, who), "不到位"),
    ):
        with pytest.raises(LedgerError) as err:
            move()
        assert err.value.forbidden
    assert item.state == LedgerState.AWAITING_ACCEPTANCE


def test_a_sent_back_item_returns_to_rectifying_with_the_reason(world):
    item = _submitted(world)
    ledger.send_back(item, world.supervisor, "佐证材料不足，请补充办事指南截图。")
    assert item.state == LedgerState.RECTIFYING and item.submitted_at is None
    last = item.events[-1]
    assert (last.action, last.from_state, last.to_state) == (
        "send_back",
        LedgerState.AWAITING_ACCEPTANCE,
        LedgerState.RECTIFYING,
    )
    assert last.note == "佐证材料不足，请补充办事指南截图。"
    ledger.submit(item, world.handler, "已补充", [])  # the evidence given before still counts
    assert item.state == LedgerState.AWAITING_ACCEPTANCE


def test_sending_back_needs_a_reason(world):
    item = _submitted(world)
    with pytest.raises(LedgerError):
        ledger.send_back(item, world.supervisor, " ")
    assert item.state == LedgerState.AWAITING_ACCEPTANCE


def test_moves_out_of_their_state_are_refused(world):
    item = _item(world)
    with pytest.raises(LedgerError) as err:
        ledger.accept(item, world.supervisor, "", "摘要")
    assert not err.value.forbidden
    closed = _closed(world)
    with pytest.raises(LedgerError):
        ledger.submit(closed, world.handler, "再次提交", [_upload()])
    with pytest.raises(LedgerError):
        ledger.send_back(closed, world.supervisor, "退回")


def test_a_public_summary_naming_an_enterprise_is_refused(world):
    item = _submitted(world)
    with pytest.raises(LedgerError):
        ledger.accept(item, world.supervisor, "", f"已为{world.acme.name}解决开办问题")
    assert item.state == LedgerState.AWAITING_ACCEPTANCE


def test_a_supervisor_reassigns_an_open_item(world):
    item = _item(world)
    ledger.assign(item, world.supervisor, world.hr, date(2026, 12, 31))
    assert (item.unit_id, item.deadline) == (world.hr.id, date(2026, 12, 31))
    with pytest.raises(LedgerError) as err:
        ledger.assign(item, world.handler, world.edu, DEADLINE)
    assert err.value.forbidden


def test_who_may_see_an_item(world):
    item = _item(world)
    assert ledger.may_see(world.supervisor, item) and ledger.may_see(world.handler, item)
    assert not ledger.may_see(world.hr_handler, item) and not ledger.may_see(world.enterprise_user, item)


# ---------------------------------------------------------------- deadlines


def test_a_late_item_is_warned_once_per_level_and_the_supervisors_hear_at_red(world):
    item = _item(world)
    cal = WorkingCalendar()
    assert ledger.warn_late(datetime(2026, 12, 4, 18), cal) == 0
    assert ledger.warn_late(datetime(2026, 12, 7, 9), cal) == 1  # yellow
    assert ledger.warn_late(datetime(2026, 12, 7, 10), cal) == 0
    assert ledger.warn_late(datetime(2026, 12, 11, 9), cal) == 1  # red
    assert ledger.warn_late(datetime(2026, 12, 11, 9), cal) == 0
    kinds = db.session.scalars(select(DutyAlert.kind).where(DutyAlert.subject_id == item.id).order_by(DutyAlert.id))
    assert list(kinds) == ["yellow", "red"]
    told = set(db.session.scalars(select(OutboxMessage.user_id).where(OutboxMessage.channel == "inapp")))
    assert {world.handler.id, world.supervisor.id} <= told and world.hr_handler.id not in told


def test_an_item_submitted_or_closed_is_not_warned(world):
    _submitted(world)
    assert ledger.warn_late(datetime(2026, 12, 11, 9), WorkingCalendar()) == 0
    assert db.session.scalar(select(func.count()).select_from(DutyAlert)) == 0


# ---------------------------------------------------------------- counts


def test_counts_by_source_and_state_and_progress(world):
    _closed(world)
    _item(world, LedgerSource.SELF_INSPECTION)
    _submitted(world)
    found = ledger.counts()
    assert found[(LedgerSource.PROVINCIAL, LedgerState.CLOSED)] == 1
    assert found[(LedgerSource.PROVINCIAL, LedgerState.AWAITING_ACCEPTANCE)] == 1
    overall, per_source = ledger.progress(found)
    assert (overall.closed, overall.total) == (1, 3)
    assert [(p.closed, p.total) for p in per_source] == [(1, 2), (0, 1)]


def test_a_complaint_pattern_links_its_tickets_and_masks_their_enterprise(world):
    ticket = file_ticket(world)
    item = _item(world, LedgerSource.COMPLAINT, title="入学咨询集中反映", tickets=[ticket])
    ledger.submit(item, world.handler, "已公开入学政策", [_upload()])
    ledger.accept(item, world.supervisor, "", "入学政策已公开，咨询电话 0710-3456789 专人接听。")
    assert item.tickets == [ticket]
    assert "0710-3456789" not in ledger.public_summary(item)


def test_the_periodic_job_warns_a_late_item_once_however_often_it_runs(world):
    item = _item(world)
    db.session.commit()
    with frozen(datetime(2026, 12, 7, 9)):
        assert periodic.ledger_deadlines() == "warnings 1"
        assert periodic.ledger_deadlines() == "warnings 0"
    assert db.session.scalar(select(func.count()).select_from(DutyAlert).where(DutyAlert.subject_id == item.id)) == 1
    assert "ledger_deadlines" in {entry.name for entry in SCHEDULE}


def test_closing_an_item_shows_on_the_public_page_at_once(world):
    from supervise.domain import public_generation

    item = _submitted(world)
    db.session.commit()
    before = public_generation.current()
    ledger.accept(item, world.supervisor, "现场核验属实", "企业开办材料由12项精简为5项。")
    db.session.commit()
    assert public_generation.current() > before  # the cached public pages are stale from now on
