"""E-mail: one address rule wherever an address enters, subjects on one line, one Message-ID that a
redelivery repeats, and an address the mail server refuses for good given up at once.

The SMTP tests send through Flask-Mail to a real SMTP server (aiosmtpd) on a free local port and
parse what it received.
"""

import socket
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from supervise.domain import mail
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.jobs import delivery
from supervise.models import Enterprise, OutboxMessage, Ticket, User
from tests.factories import PASSWORD, file_ticket, intake_data, valid_credit_code

SENDER = "supervise@zone.example.gov.cn"
INJECTED = "wang@corp.example\r\nBcc: spy@evil.example"
# Each of these was accepted somewhere before the one rule: CR/LF (forms without a validator), a comma
# that splits the To: header in two (Open311's pattern), a bare name, a host no mail can reach.
BAD_ADDRESSES = [INJECTED, "spy,wang@corp.example", "王建国", "wang@localhost"]


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses the recipients in ``refuse``."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply to RCPT TO

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def messages(self):
        return [(rcpts, BytesParser(policy=policy.default).parsebytes(raw)) for rcpts, raw in self.received]


@pytest.fixture
def smtp_server(app):
    """A local SMTP server, and the app set to deliver e-mail to it over SMTP as in production."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_DEFAULT_SENDER": f"监督平台 <{SENDER}>",
        "MAIL_SUPPRESS_SEND": False,
    }  # Flask-Mail suppresses sending under TESTING otherwise
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    app.extensions.pop("mail", None)  # Flask-Mail reads its settings once, when it is set up
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)
        app.extensions.pop("mail", None)


def _emails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email").order_by(OutboxMessage.id))
    )


def _deliver_emails() -> list[OutboxMessage]:
    messages = _emails()
    for message in messages:
        delivery.deliver(message.id)
    db.session.expire_all()
    return _emails()


def _filer_email() -> OutboxMessage:
    return next(m for m in _emails() if m.user_id is None)


# ---------------------------------------------------------------- sending over SMTP


def test_a_title_with_line_breaks_goes_out_as_a_one_line_subject_with_one_message_id(world, smtp_server):
    file_ticket(world, title="职工子女入学难\r\nBcc: spy@evil.example", contact_email="wang@corp.example")
    db.session.commit()

    sent = _deliver_emails()
    assert len(sent) >= 2 and {m.status for m in sent} == {"sent"}
    received = smtp_server.messages()
    assert len(received) == len(sent)
    for (rcpts, msg), row in zip(received, sent, strict=True):
        assert rcpts == [row.address]  # the title added no recipient
        assert msg["Bcc"] is None
        assert len(msg.get_all("Subject")) == 1
        subject = str(msg["Subject"])
        assert "\r" not in subject and "\n" not in subject and subject == row.subject
        assert len(msg.get_all("Message-ID")) == 1
        assert msg["Message-ID"] == delivery.email_message_id(row)
        assert msg["Message-ID"].startswith(f"<outbox-{row.id}.") and msg["Message-ID"].endswith(
            "@zone.example.gov.cn>"
        )
    staff_subject = str(next(msg for _rcpts, msg in received if "[" in str(msg["Subject"]))["Subject"])
    assert "职工子女入学难 Bcc: spy@evil.example" in staff_subject


def test_a_redelivered_mail_carries_the_same_single_message_id(world, smtp_server):
    file_ticket(world, contact_email="wang@corp.example")
    db.session.commit()
    message = _filer_email()
    assert delivery.deliver(message.id) == "sent"
    # The worker died after the SMTP hand-over and before its commit: the row is due again.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(status="pending"))
    db.session.commit()
    assert delivery.deliver(message.id) == "sent"

    (_, first), (_, second) = smtp_server.messages()
    assert first.get_all("Message-ID") == second.get_all("Message-ID") == [delivery.email_message_id(message)]


def test_an_address_the_server_refuses_for_good_is_given_up_at_once_with_the_reason(world, smtp_server):
    smtp_server.refuse["wang@corp.example"] = "550 5.1.1 <wang@corp.example>: Recipient address rejected: no such user"
    file_ticket(world, contact_email="wang@corp.example")
    db.session.commit()

    rows = _deliver_emails()
    refused = next(m for m in rows if m.user_id is None)
    assert refused.status == "dead" and refused.attempts == 1
    assert "550" in refused.last_error and "no such user" in refused.last_error
    assert "wang@corp.example" in refused.last_error and "permanently" in refused.last_error
    assert {m.status for m in rows if m.user_id is not None} == {"sent"}  # the others are not held up
    assert {rcpts[0] for rcpts, _msg in smtp_server.messages()} == {m.address for m in rows if m.user_id}

    db.session.execute(update(OutboxMessage).where(OutboxMessage.channel != "email").values(status="sent"))
    db.session.execute(update(OutboxMessage).values(enqueued_at=None, next_attempt_at=now() - timedelta(hours=1)))
    db.session.commit()
    assert delivery.relay_outbox() == 0  # not handed over again, however long one waits


def test_a_temporary_refusal_is_retried_and_delivered_later(world, smtp_server):
    smtp_server.refuse["wang@corp.example"] = "450 4.2.1 Mailbox busy, try again later"
    file_ticket(world, contact_email="wang@corp.example")
    db.session.commit()
    message = _filer_email()

    assert delivery.deliver(message.id) == "failed"
    db.session.refresh(message)
    assert message.attempts == 1 and "450" in message.last_error and message.next_attempt_at > now()
    del smtp_server.refuse["wang@corp.example"]
    assert delivery.deliver(message.id) == "sent"


def test_an_invalid_address_stored_before_the_rule_is_given_up_and_nothing_is_sent(world, smtp_server):
    file_ticket(world, contact_email="wang@corp.example")
    db.session.commit()
    message = _filer_email()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(address=INJECTED))
    db.session.commit()

    assert delivery.deliver(message.id) == "dead"
    db.session.refresh(message)
    assert message.attempts == 1 and "not a valid e-mail address" in message.last_error
    assert smtp_server.received == []


def test_a_subject_stored_with_line_breaks_is_sent_on_one_line(world, smtp_server):
    file_ticket(world, contact_email="wang@corp.example")
    db.session.commit()
    message = _filer_email()
    # Written before subjects were kept to one line (SQL, so that the model's own rule is bypassed).
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id).values(subject="投诉\r\n\r\nX-Injected: yes")
    )
    db.session.commit()

    assert delivery.deliver(message.id) == "sent"
    ((_, msg),) = smtp_server.messages()
    assert str(msg["Subject"]) == "投诉 X-Injected: yes" and msg["X-Injected"] is None


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    "given, stored",
    [
        ("wang@corp.example", "wang@corp.example"),
        ("  Wang.Jian@Corp.Example.COM ", "Wang.Jian@corp.example.com"),
        ("", None),
        (None, None),
        ("li_2024+supervise@xygxq.gov.cn", "li_2024+supervise@xygxq.gov.cn"),
    ],
)
def test_the_address_rule_keeps_a_normalised_address(given, stored):
    assert mail.normalize_email(given) == stored


@pytest.mark.parametrize(
    "bad",
    BAD_ADDRESSES
    + [
        "Wang <wang@corp.example>",
        "wang@corp..example",
        "wang@corp",
        '"wang jian"@corp.example',
        "张三@corp.example",
        "a" * 110 + "@corp.example",
        "wang@corp.example\x00",
    ],
)
def test_the_address_rule_refuses_what_cannot_be_one_plain_address(bad):
    with pytest.raises(mail.InvalidEmail):
        mail.normalize_email(bad)


def test_a_header_value_keeps_to_one_line():
    assert mail.single_line("甲\r\n乙\t丙\x00丁\u2028戊\x85己 ") == "甲 乙 丙 丁 戊 己"
    assert mail.subject_line("字" * 300) == "字" * mail.SUBJECT_MAX


def test_the_models_refuse_a_bad_address_and_keep_subjects_on_one_line(world):
    with pytest.raises(mail.InvalidEmail):
        world.handler.email = INJECTED
    with pytest.raises(mail.InvalidEmail):
        world.acme.email = "spy,wang@corp.example"
    ticket = file_ticket(world)
    with pytest.raises(mail.InvalidEmail):
        ticket.contact_email = "王建国"
    message = OutboxMessage(dedupe_key="k", channel="email", address="a@corp.example", subject="甲\r\n乙", body="")
    assert message.subject == "甲 乙"


# ---------------------------------------------------------------- where addresses enter


def _register_form(email: str) -> dict:
    return {
        "company": "星河科技有限公司",
        "credit_code": valid_credit_code(),
        "industry": "制造业",
        "area_id": "0",
        "address": "",
        "contact_name": "赵经理",
        "mobile": "13712345678",
        "email": email,
        "username": "xinghe",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }


@pytest.mark.parametrize("bad", BAD_ADDRESSES)
def test_registration_refuses_a_bad_address_and_registers_nothing(world, client, bad):
    response = client.post("/auth/register", data=_register_form(bad))
    assert response.status_code == 200 and "Enter a valid e-mail address." in response.get_data(as_text=True)
    assert User.by_username("xinghe") is None
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 2  # the world's two


def test_registration_keeps_a_good_address_normalised(world, client):
    assert client.post("/auth/register", data=_register_form(" Zhao@XingHe.Example ")).status_code == 302
    assert User.by_username("xinghe").email == "Zhao@xinghe.example"


def test_a_bad_address_is_refused_in_chinese_by_default(world, client, app):
    app.config["BABEL_DEFAULT_LOCALE"] = "zh_CN"
    try:
        page = client.post("/auth/register", data=_register_form(INJECTED)).get_data(as_text=True)
    finally:
        app.config["BABEL_DEFAULT_LOCALE"] = "en"
    assert "请输入有效的电子邮箱地址。" in page
    assert User.by_username("xinghe") is None


@pytest.mark.parametrize("bad", BAD_ADDRESSES)
def test_notification_settings_refuse_a_bad_address_and_change_nothing(world, login, bad):
    before = world.handler.email
    response = login(world.handler).post("/notifications/settings", data={"notify_email": "y", "email": bad})
    assert "Enter a valid e-mail address." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.handler.id).email == before


@pytest.mark.parametrize("bad", BAD_ADDRESSES)
def test_staff_intake_refuses_a_bad_contact_address_and_files_nothing(world, login, bad):
    data = intake_data(world, contact_email=bad)
    response = login(world.supervisor).post("/console/intake", data=data)
    assert response.status_code == 200 and "Enter a valid e-mail address." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize("who", ["cadre", "enterprise_user"])
@pytest.mark.parametrize("bad", BAD_ADDRESSES)
def test_portal_filing_refuses_a_bad_contact_address_and_files_nothing(world, login, who, bad):
    data = {
        "submission_key": "k-1",
        "enterprise_id": str(world.acme.id),
        "category_id": str(world.schooling.id),
        "title": "职工子女入学难",
        "description": "我公司三名职工的子女今年秋季没有学位。",
        "area_id": str(world.area.id),
        "contact_name": "王建国",
        "contact_mobile": "13912345678",
        "contact_email": bad,
        "publish_consent": "y",
    }
    response = login(getattr(world, who)).post("/my/new", data=data)
    assert response.status_code == 200 and "Enter a valid e-mail address." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize("bad", BAD_ADDRESSES)
def test_the_admin_user_forms_refuse_a_bad_address_and_change_nothing(world, login, bad):
    client, before = login(world.admin), world.handler.email
    new = {
        "username": "new_handler",
        "name": "新同事",
        "role_choice": "handler",
        "unit_id": world.edu.id,
        "mobile": "13712345678",
        "email": bad,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "active": "y",
    }
    response = client.post("/admin/users/new", data=new)
    assert response.status_code == 200 and "Enter a valid e-mail address." in response.get_data(as_text=True)
    assert User.by_username("new_handler") is None

    edit = {"name": "陈承办", "unit_id": world.edu.id, "mobile": "13912345678", "email": bad, "active": "y"}
    response = client.post(f"/admin/users/{world.handler.id}", data=edit)
    assert response.status_code == 200 and "Enter a valid e-mail address." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.handler.id).email == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("bad", BAD_ADDRESSES)
def test_open311_refuses_a_bad_address_with_a_400_in_its_format(world, client, fmt, bad):
    from supervise.open311 import keys

    _key, secret = keys.issue("city hotline")
    db.session.commit()
    fields = {
        "api_key": secret,
        "service_code": str(world.schooling.id),
        "description": "我公司职工子女今年秋季入学没有学位，希望协调解决。",
        "attribute[credit_code]": world.acme.credit_code,
        "attribute[company_name]": world.acme.name,
        "attribute[q1]": "6岁",
        "first_name": "建国",
        "last_name": "王",
        "email": bad,
    }
    response = client.post(f"/open311/v2/requests.{fmt}", data=fields)
    assert response.status_code == 400
    assert "email is not a valid e-mail address." in response.get_data(as_text=True)
    assert response.content_type.startswith("application/json" if fmt == "json" else "text/xml")
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
