"""Messages people can read: each event tells each recipient once per channel, in a text written for a
person (dates as people write them, the unit, the next step, the deadline), with links on the public
site's address; the enterprise hears of every step of its complaint; an administrator reads what was
sent in the mailbox."""

import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from supervise.domain import notify, supervision, workflow
from supervise.domain.clock import frozen
from supervise.extensions import db
from supervise.jobs import delivery
from supervise.models import OutboxMessage, Role, State
from tests.factories import advance, file_ticket, make_user

AT = datetime(2026, 11, 16, 10, 0)  # a Monday
RAW = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\d+:\d{4}-")  # ISO dates and times, alert keys


def _about(event) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"e{event.id}:%")).order_by(OutboxMessage.id)
        )
    )


def _to(event, user) -> OutboxMessage:
    return next(m for m in _about(event) if m.user_id == user.id and m.channel == "inapp")


def _in_chinese(world, *users) -> None:
    for user in users or (world.enterprise_user, world.handler, world.leader, world.supervisor):
        user.locale = "zh_CN"


@pytest.fixture
def zh_default(app):
    """The zone's default language, as in production (the tests' config is English)."""
    app.config["BABEL_DEFAULT_LOCALE"] = "zh_CN"
    yield
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


def console(client, ticket, action, **fields):
    data = {f"{action}-{key}": value for key, value in fields.items()}
    data["version"] = ticket.version
    return client.post(f"/console/tickets/{ticket.id}/{action}", data=data, follow_redirects=True)


# ---------------------------------------------------------------- texts written for a person


def test_every_message_of_a_complaints_life_reads_as_chinese_with_dates_written_out(world, zh_default):
    _in_chinese(world)
    with frozen(AT):
        ticket = file_ticket(world, at=AT)
        steps = [
            ("accept", world.supervisor, {}),
            ("sign", world.handler, {}),
            ("request_material", world.handler, {"note": "请提供职工劳动合同"}),
            ("provide_material", world.enterprise_user, {"note": "已上传劳动合同"}),
            ("request_extension", world.handler, {"new_due": "2026-12-31", "reason": "需协调学校"}),
            ("grant_extension", world.supervisor, {}),
            ("reply", world.handler, {"outcome": "resolved", "text": "已协调学位"}),
            ("approve_reply", world.supervisor, {}),
            ("rate", world.enterprise_user, {"rating": 1, "solved": False, "comment": "没有解决"}),
            ("reopen", world.supervisor, {"note": "请再次协调"}),
        ]
        bodies = []
        for action, actor, data in steps:
            event = workflow.perform(ticket, action, actor, at=AT, **data)
            db.session.flush()
            messages = _about(event)
            assert messages, f"nobody was told of {action}"
            bodies += [(action, m.subject + "\n" + m.body) for m in messages]
    for action, text in bodies:
        assert not RAW.search(text), f"{action}: {text}"
        assert "(No." not in text and "Due:" not in text, f"{action} is not in Chinese: {text}"
    told = dict(bodies)
    assert "2026年12月31日" in told["grant_extension"]
    assert "区教育局" in told["accept"] and "办理期限为" in told["accept"]


def test_an_unanswered_supervision_order_names_its_deadline_as_a_date_not_a_key(world, zh_default):
    _in_chinese(world)
    ticket = advance(world, file_ticket(world, at=AT), State.IN_PROGRESS, at=AT)
    workflow.perform(
        ticket, "issue_order", world.supervisor, at=AT, level="key", deadline="2026-11-17", note="请尽快办理"
    )
    db.session.flush()
    assert supervision.deadline_alerts(AT + timedelta(days=3)) >= 1
    event = next(e for e in ticket.events if e.action == "alert_order_overdue")
    body = _to(event, world.handler).body
    assert "2026年11月17日" in body and not RAW.search(body)


def test_a_warning_gives_the_deadline_as_a_day(world, zh_default):
    _in_chinese(world)
    ticket = advance(world, file_ticket(world, at=AT), State.IN_PROGRESS, at=AT)
    supervision.handling_warnings(ticket.handle_due + timedelta(days=1))
    event = next(e for e in ticket.events if e.action == "alert_orange")
    body = _to(event, world.leader).body
    assert f"{ticket.handle_due.year}年{ticket.handle_due.month}月{ticket.handle_due.day}日" in body
    assert not RAW.search(body)


def test_the_notification_centre_shows_the_readable_text(world, client, login, zh_default):
    _in_chinese(world)
    ticket = file_ticket(world, at=AT)
    login(world.supervisor)
    console(client, ticket, "accept")
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "inapp")):
        delivery.deliver(message.id)
    login(world.enterprise_user)
    page = client.get("/notifications/").text
    assert "诉求已受理" in page and "承办单位为区教育局" in page
    assert not RAW.search(re.sub(r"<[^>]+>|\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "", page))  # the listed time aside


# ---------------------------------------------------------------- one message per event, recipient and channel


def test_one_email_and_one_sms_per_address_however_many_accounts_share_it(world):
    me = world.enterprise_user
    me.notify_email = me.notify_sms = True
    me.email, me.mobile = "wang@corp.example", "13912345678"
    colleague = make_user(Role.ENTERPRISE, "acme2", enterprise=world.acme)
    colleague.notify_email = colleague.notify_sms = True
    colleague.email, colleague.mobile = "WANG@corp.example", "+86 139 1234 5678"
    # the complaint's contact is the same person, at the same address and number
    ticket = file_ticket(world, contact_email="wang@corp.example", contact_mobile="13912345678")
    event = workflow.perform(ticket, "decline", world.supervisor, reason="repeat")
    db.session.commit()
    messages = _about(event)
    assert sorted(m.channel for m in messages) == ["email", "inapp", "inapp", "sms"]
    assert {m.user_id for m in messages if m.channel == "inapp"} == {me.id, colleague.id}


def test_a_second_hand_over_of_the_same_event_writes_nothing_and_the_key_refuses_a_copy(world):
    ticket = file_ticket(world)
    event = workflow.perform(ticket, "accept", world.supervisor)
    db.session.flush()
    first = {m.dedupe_key for m in _about(event)}
    assert notify.queue_messages(ticket, event) == []
    assert {m.dedupe_key for m in _about(event)} == first
    copy = _about(event)[0]
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(OutboxMessage(dedupe_key=copy.dedupe_key, channel=copy.channel, subject="x", body="x"))
        db.session.flush()


def test_a_delivered_message_is_not_sent_again_by_a_second_job(world, app, tmp_path):
    app.config["MAIL_BACKEND"] = f"file:{tmp_path / 'mail.jsonl'}"
    try:
        ticket = file_ticket(world, contact_email="wang@corp.example")
        event = workflow.perform(ticket, "decline", world.supervisor, reason="repeat")
        db.session.commit()
        mail = next(m for m in _about(event) if m.channel == "email" and m.user_id is None)
        assert delivery.deliver(mail.id) == "sent"
        assert delivery.deliver(mail.id) == "sent"
        delivery.relay_outbox()
    finally:
        app.config["MAIL_BACKEND"] = "log"
    sent = [json.loads(line) for line in (tmp_path / "mail.jsonl").read_text().splitlines()]
    assert [s["key"] for s in sent].count(mail.dedupe_key) == 1


# ---------------------------------------------------------------- the enterprise told at every step


def test_the_enterprise_is_told_at_acceptance_with_the_unit_and_the_due_date(world, client, login):
    ticket = file_ticket(world, at=AT, contact_email="wang@corp.example")
    login(world.supervisor)
    assert console(client, ticket, "accept").status_code == 200
    event = ticket.events[-1]
    to_account = _to(event, world.enterprise_user)
    due = ticket.handle_due
    assert "区教育局" in to_account.body and f"{due:%B} {due.day}, {due.year}" in to_account.body
    assert to_account.link == f"/my/tickets/{ticket.id}"
    to_contact = next(m for m in _about(event) if m.user_id is None)
    assert "区教育局" in to_contact.body and ticket.retrieval_code in to_contact.body


def test_a_complaint_no_rule_fits_tells_the_enterprise_the_unit_is_being_chosen(world):
    ticket = file_ticket(world, category=world.misc)
    event = workflow.perform(ticket, "accept", world.supervisor)
    db.session.flush()
    assert "choosing the unit" in _to(event, world.enterprise_user).body
    event = workflow.perform(ticket, "dispatch", world.supervisor, unit_id=world.hr.id)
    db.session.flush()
    assert "区人力资源和社会保障局" in _to(event, world.enterprise_user).body
    assert {m.user_id for m in _about(event) if m.channel == "inapp"} == {world.hr_handler.id, world.enterprise_user.id}


@pytest.mark.parametrize(
    "action, actor, data, says",
    [
        ("sign", "handler", {}, "signed for your complaint"),
        ("request_material", "handler", {"note": "请提供劳动合同"}, "请提供劳动合同"),
        ("grant_extension", "supervisor", {}, "December 31, 2026"),
        ("approve_reply", "supervisor", {}, "Please rate the result by"),
        ("reopen", "supervisor", {"note": "请再次协调"}, "handled again by 区教育局"),
    ],
)
def test_the_enterprise_and_the_contact_hear_of_each_step(world, action, actor, data, says):
    ticket = file_ticket(world, at=AT, contact_email="contact@corp.example")
    workflow.perform(ticket, "accept", world.supervisor, at=AT)
    if action != "sign":
        workflow.perform(ticket, "sign", world.handler, at=AT)
    if action == "grant_extension":
        workflow.perform(ticket, "request_extension", world.handler, at=AT, new_due="2026-12-31", reason="协调")
    if action in ("approve_reply", "reopen"):
        workflow.perform(ticket, "reply", world.handler, at=AT, outcome="resolved", text="已协调")
    if action == "reopen":
        workflow.perform(ticket, "approve_reply", world.supervisor, at=AT)
        workflow.perform(ticket, "rate", world.enterprise_user, at=AT, rating=1, solved=False)
    event = workflow.perform(ticket, action, getattr(world, actor), at=AT, **data)
    db.session.flush()
    assert says in _to(event, world.enterprise_user).body
    contact = next(m for m in _about(event) if m.address == "contact@corp.example")
    assert says in contact.body and ticket.retrieval_code in contact.body


def test_the_decline_message_gives_the_reason_and_the_explanation(world, client, login):
    ticket = file_ticket(world, contact_mobile="13912345678")
    login(world.supervisor)
    console(client, ticket, "decline", reason="litigation", note="已向法院起诉")
    event = ticket.events[-1]
    for message in _about(event):
        assert "before a court or arbitration" in message.body and "已向法院起诉" in message.body


def test_a_refused_extension_is_not_told_to_the_enterprise(world):
    ticket = advance(world, file_ticket(world, at=AT), State.IN_PROGRESS, at=AT)
    workflow.perform(ticket, "request_extension", world.handler, at=AT, new_due="2026-12-31", reason="协调")
    event = workflow.perform(ticket, "refuse_extension", world.supervisor, at=AT, note="理由不充分")
    db.session.flush()
    assert {m.user_id for m in _about(event) if m.channel == "inapp"} == {world.handler.id, world.leader.id}


# ---------------------------------------------------------------- links


def test_every_link_is_on_the_public_base_url_whatever_host_the_request_named(world, app, tmp_path):
    app.config.update(PUBLIC_BASE_URL="https://supervise.example.gov.cn", MAIL_BACKEND=f"file:{tmp_path / 'out'}")
    try:
        world.enterprise_user.notify_sms = True
        ticket = file_ticket(world, contact_email="wang@corp.example", contact_mobile="13700001111")
        with app.test_request_context("/console/", base_url="http://evil.example:8000"):  # a request on another host
            event = workflow.perform(ticket, "accept", world.supervisor)
            db.session.commit()
        for message in _about(event):
            delivery.deliver(message.id)
    finally:
        app.config.update(PUBLIC_BASE_URL="http://127.0.0.1:5000", MAIL_BACKEND="log")
    sent = (tmp_path / "out").read_text()
    texts = [m.body for m in _about(event)] + [sent]
    assert f"https://supervise.example.gov.cn/my/tickets/{ticket.id}" in sent  # the account's e-mail
    assert "https://supervise.example.gov.cn/lookup" in sent  # the contact's
    sms = next(m for m in _about(event) if m.channel == "sms" and m.user_id == world.enterprise_user.id)
    assert f"https://supervise.example.gov.cn/my/tickets/{ticket.id}" in sms.body
    assert not any(host in text for text in texts for host in ("evil.example", "127.0.0.1", "localhost"))


# ---------------------------------------------------------------- the mailbox


def test_an_administrator_reads_every_message_sent_filtered_by_channel_and_recipient(world, client, login):
    ticket = file_ticket(world, contact_email="wang@corp.example", contact_mobile="13700001111")
    workflow.perform(ticket, "decline", world.supervisor, reason="litigation")
    db.session.commit()
    login(world.admin)
    page = client.get("/ops/mailbox")
    assert page.status_code == 200
    assert "Complaint not accepted" in page.text and "before a court or arbitration" in page.text
    sms = client.get("/ops/mailbox?channel=sms&recipient=13700001111").text
    assert "13700001111" in sms and "wang@corp.example" not in sms
    by_user = client.get("/ops/mailbox?recipient=supervisor").text
    assert "New complaint to accept" in by_user and "Complaint not accepted" not in by_user


def test_the_mailbox_pages_by_keyset(world, client, login):
    for n in range(35):
        db.session.add(
            OutboxMessage(dedupe_key=f"page-{n}", channel="email", address="a@b.example", subject=f"s{n}", body="b")
        )
    db.session.commit()
    login(world.admin)
    first = client.get("/ops/mailbox?channel=email").text
    match = re.search(r'href="([^"]*after=\d+[^"]*)"', first)
    assert match and "s34" in first and "s0<" not in first
    second = client.get(match.group(1).replace("&amp;", "&")).text
    assert "s0<" in second and "s34<" not in second


@pytest.mark.parametrize("who", ["supervisor", "handler", "enterprise_user"])
def test_only_administrators_read_the_mailbox(world, client, login, who):
    login(getattr(world, who))
    assert client.get("/ops/mailbox").status_code == 403


def test_the_mailbox_is_off_where_it_is_disabled(world, app, client, login):
    login(world.admin)
    app.config["MAILBOX_ENABLED"] = False
    try:
        assert client.get("/ops/mailbox").status_code == 404
    finally:
        app.config["MAILBOX_ENABLED"] = True
