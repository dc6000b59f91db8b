"""A complaint merged into another (并单): its filer is told, follows the surviving ticket (masked: it
may be another company's), receives its reply and rates it on their own ticket; the measures count the
merged complaint once."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from supervise.domain import subscribers, workflow
from supervise.domain.measures import cells, reports
from supervise.domain.measures.periods import Period
from supervise.extensions import db
from supervise.models import OutboxMessage, Rating, State
from tests.factories import MONDAY, PDF_BYTES, advance, dispatched, file_ticket

MARCH = Period("month", 2026, 3)


@pytest.fixture(autouse=True)
def _subscribed():
    subscribers.connect_all()


@pytest.fixture
def pair(world):
    """acme's schooling complaint (the survivor, signed for) and rival's, filed later and merged into it
    through the console."""
    survivor = file_ticket(world, title="恒达精密职工子女入学难", contact_email="wang@corp.example")
    advance(world, survivor, State.IN_PROGRESS)
    merged = file_ticket(
        world,
        enterprise=world.rival,
        title="云帆职工子女也没有学位",
        contact_email="zhao@yunfan.example",
        contact_mobile="13800001111",
    )
    db.session.commit()
    return survivor, merged


def merge(client, merged, survivor):
    return client.post(
        f"/console/tickets/{merged.id}/merge",
        data={"merge-into": survivor.tracking_no, "merge-note": "同一学校学位问题，并案办理。"},
    )


def reply_with_file(login, world, survivor, text="已协调东津小学增加学位，两家企业职工子女均已入学。"):
    unit = login(world.handler)
    response = unit.post(
        f"/unit/tickets/{survivor.id}/reply",
        data={
            "outcome": "resolved",
            "text": text,
            "files": (io.BytesIO(PDF_BYTES), "恒达精密学位协调答复.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert login(world.supervisor).post(f"/console/tickets/{survivor.id}/approve_reply").status_code == 302


def test_the_filer_of_a_merged_complaint_is_told_on_every_channel(world, login, pair):
    survivor, merged = pair
    assert merge(login(world.supervisor), merged, survivor).status_code == 302
    db.session.refresh(merged)
    assert merged.state == State.MERGED

    event = next(e for e in merged.events if e.action == "merge")
    told = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"e{event.id}:"))))
    assert {m.channel for m in told if m.user_id == world.rival_user.id} >= {"inapp"}
    assert {(m.channel, m.address) for m in told if m.user_id is None} == {
        ("email", "zhao@yunfan.example"),
        ("sms", "13800001111"),
    }
    assert all(survivor.tracking_no in m.body for m in told)


def test_the_merged_filer_follows_the_survivor_masked_from_their_own_page(world, login, pair):
    survivor, merged = pair
    merge(login(world.supervisor), merged, survivor)
    rival = login(world.rival_user)

    page = rival.get(f"/my/tickets/{merged.id}").text
    assert f"/my/tickets/{merged.id}/followed" in page and survivor.tracking_no in page

    followed = rival.get(f"/my/tickets/{merged.id}/followed").text
    assert survivor.tracking_no in followed
    assert world.edu.name in followed  # the unit handling it
    assert world.acme.name not in followed and "恒达精密" not in followed  # another company's ticket
    assert "13912345678" not in followed
    assert rival.get(f"/my/tickets/{survivor.id}").status_code in (403, 404)  # still not theirs


def test_a_merged_complaint_shows_when_it_was_merged_not_closed(world, login, pair):
    survivor, merged = pair
    merge(login(world.supervisor), merged, survivor)
    page = login(world.rival_user).get(f"/my/tickets/{merged.id}").text
    assert "<dt>Merged on</dt>" in page and "<dt>Closed</dt>" not in page


def test_following_needs_a_merged_ticket_of_ones_own(world, login, pair):
    survivor, merged = pair
    merge(login(world.supervisor), merged, survivor)
    assert login(world.enterprise_user).get(f"/my/tickets/{merged.id}/followed").status_code in (403, 404)
    page = login(world.enterprise_user).get(f"/my/tickets/{survivor.id}/followed").text
    assert "was not merged" in page and world.rival.name not in page


def test_the_reply_reaches_the_merged_filer_who_rates_it_on_their_own_ticket(world, login, pair):
    survivor, merged = pair
    merge(login(world.supervisor), merged, survivor)
    reply_with_file(login, world, survivor)

    db.session.refresh(merged)
    passed = [e for e in merged.events if e.action == "merged_reply"]
    assert len(passed) == 1 and "东津小学" in passed[0].note
    told = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"e{passed[0].id}:")))
    )
    assert {m.user_id for m in told} == {world.rival_user.id, None}  # the company's account and the contact
    assert all("东津小学" in m.body for m in told if m.user_id is not None)

    rival = login(world.rival_user)
    page = rival.get(f"/my/tickets/{merged.id}").text
    assert "东津小学" in page and 'id="rate"' in page
    response = rival.post(f"/my/tickets/{merged.id}/rate", data={"rating": "4", "solved": "yes", "comment": "满意"})
    assert response.status_code == 302

    db.session.refresh(merged)
    assert merged.state == State.MERGED  # a final state: the rating moves nothing
    assert merged.rating == merged.first_rating == Rating.SATISFIED
    assert survivor.rating is None  # the survivor's own filer rates separately
    assert 'id="rate"' not in rival.get(f"/my/tickets/{merged.id}").text  # once per reply

    acme = login(world.enterprise_user)
    assert acme.post(f"/my/tickets/{survivor.id}/rate", data={"rating": "5", "solved": "yes"}).status_code == 302
    db.session.refresh(survivor)
    assert survivor.state == State.CLOSED and survivor.rating == Rating.VERY_SATISFIED


def test_a_merged_complaint_cannot_be_rated_before_a_reply_nor_after_the_rating_time(world, pair):
    survivor, merged = pair
    workflow.perform(merged, "merge", world.supervisor, into=survivor.tracking_no)
    with pytest.raises(workflow.Invalid):
        workflow.perform(merged, "rate_merged", world.rival_user, rating=5, solved=True)
    workflow.perform(survivor, "reply", world.handler, outcome="resolved", text="已解决。")
    workflow.perform(survivor, "approve_reply", world.supervisor)
    later = survivor.approved_at + timedelta(days=8)
    with pytest.raises(workflow.Invalid):
        workflow.perform(merged, "rate_merged", world.rival_user, at=later, rating=5, solved=True)
    with pytest.raises(workflow.NotAllowed):
        workflow.perform(merged, "rate_merged", world.enterprise_user, rating=5, solved=True)


def test_a_reopened_survivor_gives_the_merged_filer_a_new_round(world, pair):
    survivor, merged = pair
    at = survivor.created_at + timedelta(days=1)

    def step(ticket, action, who, **data):
        nonlocal at
        at += timedelta(hours=1)
        workflow.perform(ticket, action, who, at=at, **data)

    step(merged, "merge", world.supervisor, into=survivor.tracking_no)
    step(survivor, "reply", world.handler, outcome="partly", text="部分解决。")
    step(survivor, "approve_reply", world.supervisor)
    step(merged, "rate_merged", world.rival_user, rating=2, solved=False)
    step(survivor, "rate", world.enterprise_user, rating=1, solved=False)
    step(survivor, "reopen", world.supervisor, note="重新协调。")
    step(survivor, "reply", world.handler, outcome="resolved", text="已全部解决。")
    step(survivor, "approve_reply", world.supervisor)
    step(merged, "rate_merged", world.rival_user, rating=5, solved=True)
    assert merged.first_rating == Rating.DISSATISFIED and merged.rating == Rating.VERY_SATISFIED
    assert [e.action for e in merged.events].count("merged_reply") == 2


def test_measures_count_the_merged_complaint_once_with_its_own_rating(world):
    survivor = dispatched(world, at=MONDAY)
    merged = dispatched(world, at=MONDAY)
    workflow.perform(merged, "merge", world.supervisor, into=survivor.tracking_no, at=MONDAY)
    workflow.perform(survivor, "sign", world.handler, at=MONDAY + timedelta(hours=1))
    workflow.perform(
        survivor, "reply", world.handler, outcome="resolved", text="已解决。", at=MONDAY + timedelta(hours=2)
    )
    workflow.perform(survivor, "approve_reply", world.supervisor, at=MONDAY + timedelta(hours=3))
    workflow.perform(survivor, "rate", world.enterprise_user, rating=5, solved=True, at=MONDAY + timedelta(hours=4))
    workflow.perform(
        merged, "rate_merged", world.enterprise_user, rating=2, solved=False, at=MONDAY + timedelta(hours=4)
    )
    cells.refresh_dirty(MONDAY + timedelta(days=1))
    db.session.commit()

    row = {r.name: r for r in reports.table(MARCH, "unit").rows}[world.edu.name]
    assert row.counts["received"] == 2  # each complaint once
    assert row.counts["replied"] == 1 and row.counts["closed"] == 1  # the handling once, on the survivor
    assert row.counts["rated"] == 2 and row.counts["satisfied"] == 1  # every filer's rating, once each
    assert row.display("satisfaction") == "50.0%"


def test_the_statistics_page_defines_how_merged_complaints_count(client, world):
    html = client.get("/stats").text
    assert "A complaint merged into another counts once" in html
    assert "The filer of a complaint merged into another rates the reply" in html


def test_the_merged_filer_is_told_when_the_survivor_is_handled_again(world, login, pair):
    survivor, merged = pair
    at = survivor.created_at + timedelta(days=1)

    def step(ticket, action, who, **data):
        nonlocal at
        at += timedelta(hours=1)
        workflow.perform(ticket, action, who, at=at, **data)

    step(merged, "merge", world.supervisor, into=survivor.tracking_no)
    step(survivor, "reply", world.handler, outcome="partly", text="部分解决。")
    step(survivor, "approve_reply", world.supervisor)
    step(survivor, "rate", world.enterprise_user, rating=1, solved=False)
    step(survivor, "reopen", world.supervisor, note="重新协调。")
    db.session.commit()

    reopened = [e for e in merged.events if e.action == "merged_reopened"]
    assert len(reopened) == 1 and reopened[0].data["into"] == survivor.tracking_no
    told = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"e{reopened[0].id}:")))
    )
    assert {m.user_id for m in told} == {world.rival_user.id, None}  # the company's account and the contact
    assert {m.channel for m in told if m.user_id is None} == {"email", "sms"}
    assert all(survivor.tracking_no in m.body and "恒达" not in m.body for m in told)
    page = login(world.rival_user).get(f"/my/tickets/{merged.id}").text
    assert "并入的诉求再次办理" in page or "is handled again" in page
