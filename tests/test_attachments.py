"""Attachment download (/files/<id>): who may fetch which file."""

import io

import pytest
from werkzeug.datastructures import FileStorage

from supervise import storage
from supervise.domain import workflow
from supervise.extensions import db
from supervise.models import State
from tests.factories import advance, file_ticket, publish

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def attach(ticket, user, event, name="营业执照.pdf"):
    upload = storage.check_upload(FileStorage(io.BytesIO(PDF), filename=name))
    return storage.store(upload, ticket, user, event)


@pytest.fixture
def filed(world):
    """A dispatched ticket of acme with one file the enterprise attached when filing."""
    ticket = file_ticket(world)
    attachment = attach(ticket, world.enterprise_user, ticket.events[0])
    advance(world, ticket, State.DISPATCHED)
    db.session.commit()
    return ticket, attachment


@pytest.mark.parametrize(
    "who, status",
    [
        ("enterprise_user", 200),  # the owner
        ("cadre", 200),  # paired with the owner
        ("handler", 200),  # the lead unit
        ("supervisor", 200),
        ("rival_user", 403),  # another enterprise
        ("hr_handler", 403),  # another unit
        ("admin", 403),
    ],
)
def test_who_may_download_a_complaints_file(world, login, filed, who, status):
    _ticket, attachment = filed
    response = login(getattr(world, who)).get(f"/files/{attachment.id}")
    assert response.status_code == status
    if status == 200:
        assert response.data == PDF


def test_a_download_is_sent_as_an_attachment_that_browsers_must_not_sniff(world, login, filed):
    _ticket, attachment = filed
    response = login(world.enterprise_user).get(f"/files/{attachment.id}")
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]


def test_anonymous_visitors_get_404_for_files_not_released(client, filed):
    _ticket, attachment = filed
    assert client.get(f"/files/{attachment.id}").status_code == 404


def test_a_missing_file_is_404(world, login):
    assert login(world.enterprise_user).get("/files/999999").status_code == 404


def test_a_released_file_of_a_published_ticket_is_public(world, client, filed):
    ticket, attachment = filed
    attachment.released = True
    db.session.commit()
    assert client.get(f"/files/{attachment.id}").status_code == 404  # released, not yet published

    publish(world, ticket)
    db.session.commit()
    response = client.get(f"/files/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF


def test_a_published_tickets_file_stays_private_unless_released(world, client, login, filed):
    ticket, attachment = filed
    publish(world, ticket)
    db.session.commit()
    assert client.get(f"/files/{attachment.id}").status_code == 404
    assert login(world.rival_user).get(f"/files/{attachment.id}").status_code == 403


def test_the_enterprise_cannot_fetch_a_file_on_a_units_internal_note(world, login):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    internal = workflow.perform(ticket, "note", world.handler, note="内部核查记录")
    attachment = attach(ticket, world.handler, internal, name="核查记录.pdf")
    db.session.commit()
    assert login(world.enterprise_user).get(f"/files/{attachment.id}").status_code == 403
    assert "核查记录.pdf" not in login(world.enterprise_user).get(f"/my/tickets/{ticket.id}").get_data(as_text=True)
    assert login(world.handler).get(f"/files/{attachment.id}").status_code == 200


def test_the_enterprise_sees_and_fetches_its_own_files_from_the_ticket_page(world, login, filed):
    ticket, attachment = filed
    html = login(world.enterprise_user).get(f"/my/tickets/{ticket.id}").get_data(as_text=True)
    assert f"/files/{attachment.id}" in html and "营业执照.pdf" in html
