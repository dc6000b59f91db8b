"""A unit's reply files reach the enterprise once the supervisor sends the reply, the filers of
complaints merged into the ticket too, and the public once released with the published result, under
a made-up name."""

import io

import pytest
from werkzeug.datastructures import FileStorage

from supervise import storage
from supervise.domain import subscribers, workflow
from supervise.extensions import db
from supervise.models import State
from tests.factories import PDF_BYTES, advance, file_ticket, publish

NAME = "襄阳市恒达精密制造有限公司学位答复.pdf"


@pytest.fixture(autouse=True)
def _subscribed():
    subscribers.connect_all()


def reply_with_file(world, ticket):
    event = workflow.perform(ticket, "reply", world.handler, outcome="resolved", text="已协调学位。")
    upload = storage.check_upload(FileStorage(io.BytesIO(PDF_BYTES), filename=NAME))
    return storage.store(upload, ticket, world.handler, event)


@pytest.fixture
def replied(world):
    ticket = file_ticket(world)
    advance(world, ticket, State.IN_PROGRESS)
    attachment = reply_with_file(world, ticket)
    db.session.commit()
    return ticket, attachment


def test_a_reply_file_stays_internal_while_the_reply_is_under_review(world, login, replied):
    _ticket, attachment = replied
    assert login(world.enterprise_user).get(f"/files/{attachment.id}").status_code == 403


def test_the_enterprise_gets_the_reply_file_once_the_reply_is_sent(world, login, replied):
    ticket, attachment = replied
    workflow.perform(ticket, "approve_reply", world.supervisor)
    db.session.commit()
    client = login(world.enterprise_user)
    assert client.get(f"/files/{attachment.id}").data == PDF_BYTES
    assert f"/files/{attachment.id}" in client.get(f"/my/tickets/{ticket.id}").text
    assert login(world.rival_user).get(f"/files/{attachment.id}").status_code == 403


def test_a_reply_sent_back_keeps_its_file_internal(world, login, replied):
    ticket, attachment = replied
    workflow.perform(ticket, "send_back", world.supervisor, note="请补充说明。")
    workflow.perform(ticket, "reply", world.handler, outcome="resolved", text="补充后的答复。")
    workflow.perform(ticket, "approve_reply", world.supervisor)
    db.session.commit()
    assert login(world.enterprise_user).get(f"/files/{attachment.id}").status_code == 403


def test_the_filer_of_a_merged_complaint_gets_the_reply_file_under_a_masked_name(world, login, replied):
    ticket, attachment = replied
    merged = file_ticket(world, enterprise=world.rival, title="同样没有学位")
    workflow.perform(merged, "merge", world.supervisor, into=ticket.tracking_no)
    workflow.perform(ticket, "approve_reply", world.supervisor)
    db.session.commit()
    rival = login(world.rival_user)
    page = rival.get(f"/my/tickets/{merged.id}/followed").text
    assert f"/files/{attachment.id}" in page and "恒达精密" not in page
    response = rival.get(f"/files/{attachment.id}")
    assert response.data == PDF_BYTES
    assert "%E6%81%92%E8%BE%BE" not in response.headers["Content-Disposition"]  # 恒达, url-encoded


def test_the_public_sees_a_released_reply_file_only_with_the_published_result(world, client, replied):
    ticket, attachment = replied
    workflow.perform(ticket, "approve_reply", world.supervisor)
    publish(world, ticket)
    workflow.perform(ticket, "rate", world.enterprise_user, rating=5, solved=True)
    db.session.commit()
    assert client.get(f"/files/{attachment.id}").status_code == 404
    workflow.perform(ticket, "publish_result", world.supervisor, public_reply="已协调解决。", release_reply_files=True)
    db.session.commit()
    page = client.get(f"/disclosure/{ticket.tracking_no}").text
    assert f"/files/{attachment.id}" in page
    assert f"{ticket.tracking_no}-Reply document1.pdf" in page and "恒达" not in page
    response = client.get(f"/files/{attachment.id}")
    assert response.status_code == 200 and "%E6%81%92" not in response.headers["Content-Disposition"]


def test_a_result_published_without_releasing_keeps_the_reply_file_private(world, client, replied):
    ticket, attachment = replied
    workflow.perform(ticket, "approve_reply", world.supervisor)
    workflow.perform(ticket, "rate", world.enterprise_user, rating=5, solved=True)
    publish(world, ticket)
    db.session.commit()
    assert client.get(f"/files/{attachment.id}").status_code == 404
    assert f"/files/{attachment.id}" not in client.get(f"/disclosure/{ticket.tracking_no}").text
