"""The ledger's pages: the office's list with counts and filters, the unit's items and submit form, the
round page, the evidence files and the public rectification page — each to whom it belongs only."""

import io
import re
from datetime import date

from sqlalchemy import select

from supervise.domain import ledger, rounds
from supervise.extensions import db
from supervise.models import LedgerEvidence, LedgerItem, LedgerSource, LedgerState, RoundScore
from tests.factories import PDF_BYTES, readable
from tests.test_ledger import _closed, _item, _submitted, _upload


def _pdf(name="整改佐证.pdf"):
    return (io.BytesIO(PDF_BYTES), name)


# ---------------------------------------------------------------- the office


def test_the_office_lists_items_with_counts_and_filters(client, login, world):
    _closed(world)
    _item(world, LedgerSource.SELF_INSPECTION, title="自查：不动产登记窗口排队时间长")
    db.session.commit()
    login(world.supervisor)
    page = readable(client.get("/console/ledger"))
    assert "1/2" in page and "自查：不动产登记窗口排队时间长" in page
    filtered = readable(client.get("/console/ledger?source=provincial"))
    assert "自查：不动产登记窗口排队时间长" not in filtered and "企业开办环节材料重复提交" in filtered
    assert "自查：不动产登记窗口排队时间长" not in readable(client.get("/console/ledger?state=closed"))


def test_the_office_lists_only_overdue_items_when_asked(client, login, world):
    item = _item(world)  # deadline 2026-12-04
    item.deadline = date(2000, 1, 3)
    _item(world, title="未到期的问题").deadline = date(2999, 1, 1)
    db.session.commit()
    login(world.supervisor)
    page = readable(client.get("/console/ledger?overdue=1"))
    assert "企业开办环节材料重复提交" in page and "未到期的问题" not in page


def test_a_supervisor_records_a_problem_from_the_form(client, login, world):
    login(world.supervisor)
    response = client.post(
        "/console/ledger/new",
        data={
            "source": "self_inspection",
            "title": "水电气报装环节多",
            "unit_id": world.hr.id,
            "deadline": "2026-12-31",
        },
    )
    assert response.status_code == 302
    item = db.session.scalar(select(LedgerItem))
    assert (item.source, item.unit_id, item.state) == (
        LedgerSource.SELF_INSPECTION,
        world.hr.id,
        LedgerState.RECTIFYING,
    )


def test_a_problem_without_a_deadline_is_refused_with_a_message(client, login, world):
    login(world.supervisor)
    response = client.post("/console/ledger/new", data={"source": "provincial", "title": "x", "unit_id": world.hr.id})
    assert response.status_code == 400 and "2026-12-31" in readable(response)
    assert db.session.scalar(select(LedgerItem)) is None


def test_units_do_not_reach_the_office_ledger(client, login, world):
    item = _submitted(world)
    db.session.commit()
    login(world.handler)
    assert client.get("/console/ledger").status_code == 403
    assert client.post(f"/console/ledger/{item.id}/accept", data={"public_summary": "x"}).status_code == 403
    db.session.refresh(item)
    assert item.state == LedgerState.AWAITING_ACCEPTANCE


def test_a_supervisor_accepts_and_sends_back_through_the_page(client, login, world):
    accepted, sent_back = _submitted(world), _submitted(world)
    db.session.commit()
    login(world.supervisor)
    assert (
        client.post(f"/console/ledger/{accepted.id}/accept", data={"public_summary": "已整改到位"}).status_code == 302
    )
    response = client.post(f"/console/ledger/{sent_back.id}/send-back", data={"reason": "佐证不足"})
    assert response.status_code == 302
    db.session.expire_all()
    assert accepted.state == LedgerState.CLOSED and sent_back.state == LedgerState.RECTIFYING
    assert "佐证不足" in readable(client.get(f"/console/ledger/{sent_back.id}"))


def test_sending_back_without_a_reason_changes_nothing(client, login, world):
    item = _submitted(world)
    db.session.commit()
    login(world.supervisor)
    assert client.post(f"/console/ledger/{item.id}/send-back", data={"reason": ""}).status_code == 400
    db.session.expire_all()
    assert item.state == LedgerState.AWAITING_ACCEPTANCE


# ---------------------------------------------------------------- the unit


def test_a_unit_sees_its_own_items_only(client, login, world):
    ours = _item(world, title="教育局的问题")
    theirs = ledger.create_item(world.supervisor, LedgerSource.PROVINCIAL, "人社局的问题", world.hr, date(2026, 12, 31))
    db.session.commit()
    login(world.handler)
    page = readable(client.get("/unit/ledger"))
    assert "教育局的问题" in page and "人社局的问题" not in page
    assert client.get(f"/unit/ledger/{ours.id}").status_code == 200
    assert client.get(f"/unit/ledger/{theirs.id}").status_code == 403
    assert client.get("/unit/ledger/99999").status_code == 404


def test_the_unit_submits_with_evidence_through_the_form(client, login, world):
    item = _item(world)
    db.session.commit()
    login(world.handler)
    response = client.post(
        f"/unit/ledger/{item.id}/submit",
        data={"measures": "已精简材料", "files": [_pdf()]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert item.state == LedgerState.AWAITING_ACCEPTANCE and [e.filename for e in item.evidence] == ["整改佐证.pdf"]


def test_a_submission_without_a_file_is_refused_with_a_message(client, login, world):
    item = _item(world)
    db.session.commit()
    login(world.handler)
    response = client.post(f"/unit/ledger/{item.id}/submit", data={"measures": "已整改"})
    assert response.status_code == 400 and "Attach at least one file" in readable(response)
    db.session.expire_all()
    assert item.state == LedgerState.RECTIFYING


def test_another_unit_cannot_move_an_item(client, login, world):
    item = _item(world)
    db.session.commit()
    login(world.hr_handler)
    response = client.post(
        f"/unit/ledger/{item.id}/submit", data={"measures": "x", "files": [_pdf()]}, content_type="multipart/form-data"
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert item.state == LedgerState.RECTIFYING and not item.evidence


def test_evidence_is_for_the_unit_and_the_office_only(client, login, world):
    _submitted(world)
    db.session.commit()
    evidence = db.session.scalar(select(LedgerEvidence))
    for user, status in ((world.handler, 200), (world.supervisor, 200), (world.hr_handler, 403)):
        login(user)
        assert client.get(f"/unit/ledger/evidence/{evidence.id}").status_code == status
    login(world.enterprise_user)
    assert client.get(f"/unit/ledger/evidence/{evidence.id}").status_code == 403


# ---------------------------------------------------------------- rounds


def test_a_round_from_checklist_to_findings_to_verification_through_the_pages(client, login, world):
    login(world.supervisor)
    response = client.post(
        "/console/rounds",
        data={
            "name": "第一轮闭环督导",
            "period_start": "2026-04-01",
            "period_end": "2026-04-27",
            "unit_ids": [world.edu.id],
        },
    )
    first_id = int(re.search(r"/console/rounds/(\d+)", response.headers["Location"]).group(1))
    client.post(f"/console/rounds/{first_id}/scores", data={f"score-{world.edu.id}-responsibility": "85"})
    assert db.session.scalar(select(RoundScore.score)) == 85
    client.post(
        f"/console/rounds/{first_id}/findings",
        data={"unit_id": world.edu.id, "title": "宣传培训未覆盖窗口人员", "deadline": "2026-05-31"},
    )
    item = db.session.scalar(select(LedgerItem))
    assert (item.source, item.round_id) == (LedgerSource.ROUND, first_id)
    ledger.submit(item, world.handler, "已培训", [_upload()])
    ledger.accept(item, world.supervisor, "", "窗口人员培训已全覆盖。")
    db.session.commit()
    client.post(
        "/console/rounds",
        data={
            "name": "第二轮闭环督导",
            "period_start": "2026-06-01",
            "period_end": "2026-06-30",
            "unit_ids": [world.edu.id],
        },
    )
    second = rounds.latest_round()
    assert "宣传培训未覆盖窗口人员" in readable(client.get(f"/console/rounds/{second.id}"))
    client.post(
        f"/console/rounds/{second.id}/verify/{item.id}", data={"result": "not_rectified", "note": "抽查两名未培训"}
    )
    db.session.expire_all()
    assert item.state == LedgerState.RECTIFYING


def test_a_score_out_of_range_saves_nothing(client, login, world):
    round_ = rounds.create_round(world.supervisor, "第一轮", date(2026, 4, 1), date(2026, 4, 27), [world.edu])
    db.session.commit()
    login(world.supervisor)
    client.post(
        f"/console/rounds/{round_.id}/scores",
        data={f"score-{world.edu.id}-responsibility": "80", f"score-{world.edu.id}-publicity": "120"},
    )
    assert db.session.scalar(select(RoundScore)) is None


def test_rounds_are_the_offices(client, login, world):
    login(world.leader)
    assert client.get("/console/rounds").status_code == 403


# ---------------------------------------------------------------- the public


def test_the_public_page_counts_match_and_show_no_enterprise(client, world):
    closed = _closed(world)
    closed.title = f"{world.acme.name}反映开办难"  # the internal title names the company; the public never sees it
    closed.description = world.acme.name
    _item(world, LedgerSource.SELF_INSPECTION)
    _submitted(world)
    db.session.commit()
    page = readable(client.get("/rectification"))
    assert "1 of 3 problems rectified and closed" in page
    assert "1/2" in page and "0/1" in page  # provincial, self-inspection
    assert "企业开办材料由12项精简为5项" in page
    assert world.acme.name not in page and world.acme.credit_code not in page


def test_the_public_page_is_reached_from_every_page(client, world):
    assert 'href="/accountability"' in client.get("/").get_data(as_text=True)  # the menu's 监督公开
    assert 'href="/rectification"' in client.get("/accountability").get_data(as_text=True)
