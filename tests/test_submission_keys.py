"""Idempotency keys belong to one filer on one channel: the key a client sends is stored only as a keyed
hash of the channel, the filer and that key, so a web form can never name (or pre-empt) an Open311
client's request, two companies sending the same key file two complaints, and "already filed as …"
answers only the filer who filed it. A double click still files once (tests/test_enterprise_portal.py).
"""

import hashlib

from sqlalchemy import func, select

from supervise.domain import intake
from supervise.extensions import db
from supervise.models import Source, Ticket
from supervise.open311 import keys
from tests.factories import complaint_form, filing, intake_data, parse, post


def _tickets() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def test_a_web_form_carrying_an_open311_clients_key_does_not_swallow_its_request(world, client, login):
    key, secret = keys.issue("city hotline")
    db.session.commit()
    client_id = "hotline-2026-0001"
    # The key main stored for this Open311 request: predictable from the API key's id and the client id.
    predicted = hashlib.sha256(f"open311:{key.id}:{client_id}".encode()).hexdigest()
    login(world.rival_user).post("/my/new", data=complaint_form(world, submission_key=predicted, title="对手抢先提交"))
    web_ticket = db.session.scalar(select(Ticket))

    client.post("/auth/logout")
    response = post(client, **filing(world, secret, **{"attribute[client_request_id]": client_id}))

    assert response.status_code == 201  # filed, not "already received"
    number = parse(response)[0]["service_request_id"]
    assert number != web_ticket.tracking_no and _tickets() == 2
    filed = db.session.scalar(select(Ticket).where(Ticket.tracking_no == number))
    assert filed.source == Source.API and filed.enterprise == world.acme


def test_two_companies_sending_the_same_key_file_two_complaints_and_see_only_their_own(world, client, login):
    first = login(world.enterprise_user).post(
        "/my/new", data=complaint_form(world, key="shared"), follow_redirects=True
    )  # its own flash is read here
    acme_ticket = db.session.scalar(select(Ticket))

    second = login(world.rival_user).post("/my/new", data=complaint_form(world, key="shared"), follow_redirects=True)

    page = second.get_data(as_text=True)
    assert first.status_code == 200 and second.status_code == 200 and _tickets() == 2
    assert acme_ticket.tracking_no not in page and "already filed" not in page
    rival_ticket = db.session.scalar(select(Ticket).where(Ticket.id != acme_ticket.id))
    assert rival_ticket.enterprise == world.rival


def test_the_same_key_through_the_console_and_the_portal_files_two_complaints(world, client, login):
    login(world.supervisor).post("/console/intake", data=intake_data(world, submission_key="k-same"))
    login(world.enterprise_user).post("/my/new", data=complaint_form(world, key="same"))

    assert _tickets() == 2


def test_the_same_user_sending_the_same_key_twice_files_once(world, client, login):
    user = login(world.enterprise_user)
    user.post("/my/new", data=complaint_form(world, key="twice"))
    again = user.post("/my/new", data=complaint_form(world, key="twice"), follow_redirects=True)

    assert _tickets() == 1 and "already filed" in again.get_data(as_text=True)


def test_the_stored_key_is_a_keyed_hash_not_the_clients_key(world, login):
    login(world.enterprise_user).post("/my/new", data=complaint_form(world, key="visible"))

    ticket = db.session.scalar(select(Ticket))
    expected = intake.ClientKey(intake.WEB, f"user:{world.enterprise_user.id}", "k-visible").stored()
    assert ticket.submission_key == expected and "visible" not in ticket.submission_key
    assert expected != intake.ClientKey(intake.CONSOLE, f"user:{world.enterprise_user.id}", "k-visible").stored()
    assert expected != intake.ClientKey(intake.WEB, f"user:{world.rival_user.id}", "k-visible").stored()
