"""Public e-mail alerts: anyone follows a unit, a category or a published ticket with double opt-in,
gets an alert for each public step of a published ticket (masked, with a one-click unsubscribe), and
nothing before confirming or after unsubscribing. Mail goes through the outbox to a real local SMTP
server (aiosmtpd)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from supervise.domain import alerts as rules
from supervise.domain import workflow
from supervise.domain.clock import now
from supervise.domain.measures import cells
from supervise.extensions import db
from supervise.jobs import alerts as alert_jobs
from supervise.jobs import delivery
from supervise.models import AlertEvent, AlertSubscription, OutboxMessage, State
from tests.factories import MONDAY, advance, file_ticket, publish
from tests.production import production_like

READER = "Reader@Example.COM"


def run_jobs() -> None:
    """What the workers do after the commits: fan out the alerted events, then deliver the mail."""
    for ident in db.session.scalars(select(AlertEvent.id).where(AlertEvent.done_at.is_(None))).all():
        alert_jobs.fan_out(ident)
    pending = select(OutboxMessage.id).where(OutboxMessage.channel == "email", OutboxMessage.status == "pending")
    for ident in db.session.scalars(pending).all():
        delivery.deliver(ident)
    db.session.expire_all()


def mails_to(inbox, address: str) -> list:
    return [m for m in inbox.messages() if m["To"] == address]


def link_in(mail, path: str) -> str:
    found = re.search(rf"https?://[^/\s]+({path}/[\w-]+)", mail.get_content())
    assert found, mail.get_content()
    return found.group(1)


def subscribe(client, address: str = READER, **target) -> None:
    response = client.post("/alerts/subscribe", query_string=target, data={"email": address})
    assert response.status_code == 200
    assert "confirm" in response.get_data(as_text=True)


def subscribe_and_confirm(client, inbox, address: str = READER, **target) -> None:
    subscribe(client, address, **target)
    run_jobs()
    confirmation = mails_to(inbox, address.lower())[-1]
    assert client.post(link_in(confirmation, "/alerts/confirm")).status_code == 200


@pytest.fixture
def ticket(world):
    found = advance(world, file_ticket(world, at=MONDAY), State.IN_PROGRESS, at=MONDAY)
    db.session.commit()
    return found


# ---------------------------------------------------------------- the whole road


def test_subscribe_confirm_alert_unsubscribe_and_nothing_after(client, world, ticket, inbox, app):
    form = client.get(f"/alerts/subscribe?unit={world.edu.id}")
    assert form.status_code == 200 and world.edu.name in form.get_data(as_text=True)
    subscribe(client, unit=world.edu.id)
    run_jobs()

    (confirmation,) = mails_to(inbox, READER.lower())  # stored and sent normalised
    assert "List-Unsubscribe" not in confirmation
    confirm_path = link_in(confirmation, "/alerts/confirm")
    assert client.get(confirm_path).status_code == 200  # a page with a button: a link scanner confirms nothing
    assert db.session.scalar(select(AlertSubscription.confirmed_at)) is None
    assert "Confirmed" in client.post(confirm_path).get_data(as_text=True)

    publish(world, ticket)
    db.session.commit()
    run_jobs()

    alerts = mails_to(inbox, READER.lower())[1:]
    assert len(alerts) == 1
    alert = alerts[0]
    assert ticket.tracking_no in alert["Subject"]
    unsubscribe_path = link_in(alert, "/alerts/unsubscribe")
    assert alert["List-Unsubscribe"] == f"<http://127.0.0.1:5000{unsubscribe_path}>"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/disclosure/{ticket.tracking_no}" in alert.get_content()

    assert client.get(unsubscribe_path).status_code == 200  # the page asks first
    app.config["WTF_CSRF_ENABLED"] = True  # the mail client's one-click POST carries no CSRF token
    try:
        response = client.post(unsubscribe_path, data={"List-Unsubscribe": "One-Click"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0  # the address is gone

    workflow.perform(ticket, "note", world.handler, note="已协调学位", public=True)
    db.session.commit()
    run_jobs()
    assert len(mails_to(inbox, READER.lower())) == 2  # the confirmation and the one alert
    assert client.post(unsubscribe_path).status_code == 404  # used once


def test_the_public_steps_of_a_published_ticket_are_alerted_to_its_followers(client, world, ticket, inbox):
    publish(world, ticket)
    db.session.commit()
    subscribe_and_confirm(client, inbox, ticket=ticket.tracking_no)

    workflow.perform(ticket, "note", world.handler, note="已联系学校，电话13912345678", public=True)
    workflow.perform(ticket, "note", world.handler, note="内部记录", public=False)
    db.session.commit()
    run_jobs()

    (alert,) = mails_to(inbox, READER.lower())[1:]
    body = alert.get_content()
    assert "已联系学校" in body and "13912345678" not in body  # masked as on the public page
    assert "内部记录" not in body


def test_an_unconfirmed_address_gets_nothing_but_the_confirmation(client, world, ticket, inbox):
    subscribe(client, unit=world.edu.id)
    publish(world, ticket)
    db.session.commit()
    run_jobs()

    (only,) = mails_to(inbox, READER.lower())
    assert "/alerts/confirm/" in only.get_content()


def test_an_unconfirmed_subscription_expires(client, world, inbox):
    subscribe(client, unit=world.edu.id)
    run_jobs()
    confirm_path = link_in(mails_to(inbox, READER.lower())[0], "/alerts/confirm")
    subscription = db.session.scalar(select(AlertSubscription))
    subscription.requested_at = now() - timedelta(hours=rules.CONFIRM_HOURS + 1)
    db.session.commit()

    assert client.post(confirm_path).status_code == 404
    alert_jobs.public_alerts()
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0


def test_forged_and_borrowed_tokens_are_refused(client, world, inbox):
    subscribe(client, unit=world.edu.id)
    subscribe(client, "other@example.com", unit=world.edu.id)
    run_jobs()
    mine = link_in(mails_to(inbox, READER.lower())[0], "/alerts/confirm")
    ident, digest = mine.rsplit("/", 1)[1].split("-")
    other_id = db.session.scalar(select(AlertSubscription.id).where(AlertSubscription.email == "other@example.com"))

    for forged in (
        f"/alerts/confirm/{ident}-{'0' * len(digest)}",
        f"/alerts/confirm/{other_id}-{digest}",  # my signature on another row
        f"/alerts/unsubscribe/{ident}-{digest}",  # a confirmation token is no unsubscribe token
        "/alerts/confirm/x",
        "/alerts/unsubscribe/99999999999999-abc",
    ):
        assert client.post(forged).status_code == 404, forged
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 2
    assert all(s.confirmed_at is None for s in db.session.scalars(select(AlertSubscription)))


def test_subscribing_again_renews_the_link_and_keeps_one_row(client, world, inbox):
    subscribe(client, unit=world.edu.id)
    subscribe(client, READER.upper().replace("EXAMPLE", "example"), unit=world.edu.id)
    run_jobs()
    first, second = (link_in(m, "/alerts/confirm") for m in mails_to(inbox, READER.lower()))
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 1
    assert client.post(first).status_code == 404  # the earlier link no longer works
    assert client.post(second).status_code == 200


def test_only_followable_targets_are_offered(client, world, ticket):
    assert client.get("/alerts/subscribe").status_code == 404
    assert client.get(f"/alerts/subscribe?ticket={ticket.tracking_no}").status_code == 404  # not published
    assert client.get("/alerts/subscribe?unit=999999").status_code == 404
    assert client.get("/alerts/subscribe?unit=abc").status_code == 400
    response = client.post(f"/alerts/subscribe?unit={world.edu.id}", data={"email": "not an address"})
    assert response.status_code == 200 and db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0


# ---------------------------------------------------------------- fan-out


def _confirmed(world, count: int, **target) -> None:
    kind, ident = next(iter(target.items()))
    db.session.add_all(
        AlertSubscription(
            email=f"reader{n:05d}@example.com",
            target_kind=kind,
            target_id=ident,
            nonce=rules.new_nonce(),
            confirmed_at=now(),
        )
        for n in range(count)
    )


def test_thousands_of_followers_are_a_few_queries_in_a_job_and_a_retry_sends_nothing_twice(world, ticket):
    _confirmed(world, 1200, unit=world.edu.id)
    _confirmed(world, 300, category=world.schooling.id)  # the same addresses follow the category too
    db.session.commit()

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        publish(world, ticket)
        db.session.commit()
        in_request = len(statements)
        (row,) = db.session.scalars(select(AlertEvent)).all()
        statements.clear()
        assert alert_jobs.fan_out(row.id) == "alerts 1200"
        in_job = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    assert in_request < 60  # one alert row, whatever the followers
    assert in_job < 60  # batches of 500 (a query and an INSERT each), not a query per follower
    keys = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key.like("alert:%"))
    assert db.session.scalar(keys) == 1200  # one per address: the category follower is not told twice

    row.done_at = None  # a retry of the same job
    db.session.commit()
    alert_jobs.fan_out(row.id)
    alert_jobs.fan_out(row.id)
    assert db.session.scalar(keys) == 1200


def test_a_withdrawn_ticket_alerts_nobody(world, ticket):
    _confirmed(world, 3, unit=world.edu.id)
    publish(world, ticket)
    workflow.perform(ticket, "unpublish", world.supervisor, note="撤回")
    db.session.commit()
    for ident in db.session.scalars(select(AlertEvent.id)).all():
        alert_jobs.fan_out(ident)
    alerts = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key.like("alert:%"))
    assert db.session.scalar(alerts) == 0


# ---------------------------------------------------------------- public pages


def test_the_public_pages_link_their_feeds_and_alerts(client, world, ticket):
    publish(world, ticket)
    db.session.commit()
    cells.refresh_dirty()  # the filters offer the units and categories of the kept measures

    listing = client.get(f"/disclosure?unit={world.edu.id}").get_data(as_text=True)
    assert f'href="/feeds/units/{world.edu.id}/problems.atom"' in listing
    assert f'href="/alerts/subscribe?unit={world.edu.id}"' in listing
    listing = client.get(f"/disclosure?category={world.schooling.id}").get_data(as_text=True)
    assert f'href="/feeds/categories/{world.schooling.id}/results.atom"' in listing
    assert 'href="/feeds/problems.atom"' in client.get("/disclosure").get_data(as_text=True)
    page = client.get(f"/disclosure/{ticket.tracking_no}").get_data(as_text=True)
    assert f'href="/alerts/subscribe?ticket={ticket.tracking_no}"' in page
    assert f'href="/feeds/units/{world.edu.id}/problems.atom"' in page


def test_a_red_ticket_shows_seriously_overdue_publicly(client, world, ticket):
    publish(world, ticket)  # dispatched in March: long past its deadline, red
    late = advance(world, file_ticket(world, at=now() - timedelta(days=1)), State.IN_PROGRESS, at=now())
    publish(world, late)
    db.session.commit()

    page = client.get(f"/disclosure/{ticket.tracking_no}").get_data(as_text=True)
    assert "Seriously overdue" in page
    assert "Seriously overdue" not in client.get(f"/disclosure/{late.tracking_no}").get_data(as_text=True)
    assert "Seriously overdue" in client.get("/disclosure").get_data(as_text=True)


@pytest.mark.committed  # a production-like app has an engine of its own
def test_subscribing_is_rate_limited_per_address(app, world):
    with production_like(app, ALERT_SUBSCRIBE_RATE_LIMIT="2 per minute", WTF_CSRF_ENABLED=False) as site:
        client = site.test_client()
        codes = [
            client.post(f"/alerts/subscribe?unit={world.edu.id}", data={"email": f"r{n}@example.com"}).status_code
            for n in range(3)
        ]
    assert codes == [200, 200, 429]
