"""Notifications: the right people hear of each event, once, on the channels they chose."""

from datetime import datetime

from sqlalchemy import func, select

from supervise.domain import workflow
from supervise.extensions import db
from supervise.jobs import delivery
from supervise.models import Notification, OutboxMessage, State
from tests.factories import advance, file_ticket


def _messages(**where) -> list[OutboxMessage]:
    query = select(OutboxMessage)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _deliver_all() -> int:
    for message in _messages():
        delivery.deliver(message.id)
    return db.session.scalar(select(func.count()).select_from(Notification))


def test_a_new_complaint_tells_the_supervisors_and_acknowledges_the_filer(world):
    ticket = file_ticket(world, contact_email="wang@corp.example", contact_mobile="13912345678")
    db.session.commit()
    supervisor_msgs = _messages(user_id=world.supervisor.id)
    assert {m.channel for m in supervisor_msgs} == {"inapp", "email"}  # e-mail is on by default
    ack = [m for m in _messages() if m.user_id is None]
    assert {(m.channel, m.address) for m in ack} == {("email", "wang@corp.example"), ("sms", "13912345678")}
    assert all(ticket.tracking_no in m.body and ticket.retrieval_code in m.body for m in ack)


def test_a_dispatch_tells_the_lead_units_staff_and_the_enterprise_but_not_the_actor(world):
    ticket = file_ticket(world)
    workflow.perform(ticket, "accept", world.supervisor)
    db.session.commit()
    event = ticket.events[-1]
    told = {m.user_id for m in _messages() if m.dedupe_key.startswith(f"e{event.id}:")}
    assert told == {world.handler.id, world.leader.id, world.enterprise_user.id, None}  # None: the contact
    assert world.supervisor.id not in told


def test_a_bad_rating_goes_to_the_supervisor_too(world):
    ticket = advance(world, file_ticket(world), State.AWAITING_RATING)
    workflow.perform(ticket, "rate", world.enterprise_user, rating=1, solved=False)
    db.session.commit()
    event = ticket.events[-1]
    told = {m.user_id for m in _messages(channel="inapp") if m.dedupe_key.startswith(f"e{event.id}:")}
    assert world.supervisor.id in told and world.handler.id in told


def test_sms_only_for_users_who_chose_it(world):
    world.handler.notify_sms = True
    world.leader.notify_email = False
    ticket = file_ticket(world)
    workflow.perform(ticket, "accept", world.supervisor)
    db.session.commit()
    assert {m.channel for m in _messages(user_id=world.handler.id)} == {"inapp", "email", "sms"}
    assert {m.channel for m in _messages(user_id=world.leader.id)} == {"inapp"}


def test_delivery_happens_once_however_often_the_job_runs(world):
    file_ticket(world)
    db.session.commit()
    first = _deliver_all()
    assert first == len(_messages(channel="inapp")) > 0
    assert _deliver_all() == first
    delivery.relay_outbox()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == first
    assert {m.status for m in _messages()} == {"sent"}


def test_a_failing_channel_is_retried_with_backoff_and_given_up_after_the_limit(world, app, monkeypatch):
    file_ticket(world)
    db.session.commit()
    sms = _messages(channel="sms")[0]

    class Broken:
        def send(self, *args):
            raise ConnectionError("gateway down")

    monkeypatch.setattr(delivery, "_gateway", lambda setting: Broken())
    delivery.deliver(sms.id)
    db.session.refresh(sms)
    assert sms.status == "failed" and sms.attempts == 1 and "gateway down" in sms.last_error
    assert sms.next_attempt_at > datetime.now().replace(year=2000)
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver(sms.id)
    db.session.refresh(sms)
    assert sms.status == "dead" and sms.attempts == delivery.MAX_ATTEMPTS
    monkeypatch.undo()
    delivery.retry(sms.id)  # the operator's retry
    db.session.refresh(sms)
    assert sms.status == "sent"


def test_the_relay_hands_over_only_what_is_due_and_not_recently_handed_over(world, app):
    file_ticket(world)
    db.session.commit()
    app.config["OUTBOX_LEASE_SECONDS"] = 3600
    try:
        assert delivery.relay_outbox() == 0  # just handed over at creation: the lease holds
    finally:
        app.config["OUTBOX_LEASE_SECONDS"] = 600
    db.session.execute(OutboxMessage.__table__.update().values(enqueued_at=None))
    db.session.commit()
    # In-app notices were delivered with the event: the relay hands over the e-mail and SMS.
    assert delivery.relay_outbox() == len([m for m in _messages() if m.channel != "inapp"]) > 0


def test_the_notification_centre_counts_unread_and_marks_read(world, client, login):
    file_ticket(world)
    db.session.commit()
    _deliver_all()
    login(world.supervisor)
    page = client.get("/notifications/")
    assert page.status_code == 200 and "New complaint to accept" in page.text
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.supervisor.id))
    home = client.get("/console/")
    assert "unread" in home.text
    response = client.post(f"/notifications/{note.id}/open")
    assert response.status_code == 302 and response.location.endswith(note.link)
    db.session.refresh(note)
    assert note.read_at is not None


def test_nobody_opens_another_users_notification(world, client, login):
    file_ticket(world)
    db.session.commit()
    _deliver_all()
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.supervisor.id))
    login(world.handler)
    assert client.post(f"/notifications/{note.id}/open").status_code == 403
    assert client.post("/notifications/999999/open").status_code == 404


def test_choosing_sms_needs_a_mobile_number(world, client, login):
    login(world.handler)
    response = client.post("/notifications/settings", data={"notify_sms": "y", "mobile": ""})
    assert "Give a mobile number" in response.text
    db.session.refresh(world.handler)
    assert world.handler.notify_sms is False
    client.post("/notifications/settings", data={"notify_sms": "y", "mobile": "13700001111"})
    db.session.refresh(world.handler)
    assert world.handler.notify_sms is True and world.handler.mobile == "13700001111"
