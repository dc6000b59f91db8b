"""Delivery of outbox messages: one job per message, retried with backoff, relayed when missed.

Delivery is idempotent: a sent message is never sent again, and two copies of the job never work on
one message at once (the row is locked, ``SKIP LOCKED`` on PostgreSQL). In-app delivery writes the
notification in the same transaction that marks the message sent, so it happens exactly once. An
e-mail carries exactly one Message-ID, derived from the message, so a resend after a crash between
the SMTP hand-over and the commit is recognisable as the same mail. A message that can never be
delivered (an invalid address, or one the mail server refuses with a 5xx reply) is given up at once
with the reason, instead of being retried until the attempts run out.
"""

import importlib
import logging
import smtplib
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Protocol

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from supervise.domain import alerts
from supervise.domain import mail as mail_rules
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.jobs import MAIL_QUEUE, after_commit, enqueue, job
from supervise.links import absolute
from supervise.models import Notification, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 60  # 1, 2, 4 … minutes


class SmsGateway(Protocol):
    def send(self, mobile: str, text: str, key: str) -> None: ...


class LogSmsGateway:
    """The default SMS gateway: writes the message to the log (for a zone without an SMS contract)."""

    def send(self, mobile: str, text: str, key: str) -> None:
        log.info("SMS to %s [%s]: %s", mobile, key, text)


class FileGateway:
    """Appends each message as a line to a file; for demos and for tests across processes."""

    def __init__(self, path: str):
        self.path = path

    def send(self, address: str, text: str, key: str) -> None:
        import json

        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"to": address, "key": key, "text": text}, ensure_ascii=False) + "\n")


def _gateway(setting: str) -> SmsGateway:
    """``log``, ``file:/path`` or ``package.module:ClassName`` (constructed without arguments)."""
    if setting == "log":
        return LogSmsGateway()
    if setting.startswith("file:"):
        return FileGateway(setting[5:])
    module, _, name = setting.partition(":")
    return getattr(importlib.import_module(module), name)()


def _send(message: OutboxMessage) -> None:
    key = message.dedupe_key
    if message.channel == "inapp":
        db.session.add(
            Notification(
                user_id=message.user_id,
                outbox_id=message.id,
                ticket_id=message.ticket_id,
                subject=message.subject,
                body=message.body,
                link=message.link,
            )
        )
        db.session.flush()
    elif message.channel == "sms":
        _gateway(current_app.config["SMS_BACKEND"]).send(message.address, f"{message.subject} {message.body}", key)
    elif message.channel == "email":
        _send_email(message)
    else:
        raise ValueError(f"unknown channel {message.channel}")


class Undeliverable(Exception):
    """The message cannot be delivered as it stands (an invalid or permanently refused address):
    retrying would only fail again, so it is given up at once with this reason."""


def email_message_id(message: OutboxMessage) -> str:
    """The Message-ID of an outbox message's e-mail: the same on every delivery attempt, so that a
    resend after a crash is recognisable as the same mail; the creation time keeps ids distinct
    across a database that was reset and counts its rows from 1 again."""
    sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    domain = sender.rpartition("@")[2] or "supervise"
    return f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def _send_email(message: OutboxMessage) -> None:
    key = message.dedupe_key
    try:
        address = mail_rules.normalize_email(message.address)
    except mail_rules.InvalidEmail:
        raise Undeliverable(f"not a valid e-mail address: {message.address!r}") from None
    if address is None:
        raise Undeliverable("no e-mail address")
    subject = mail_rules.subject_line(message.subject)  # rows written before subjects were kept to one line
    backend = current_app.config["MAIL_BACKEND"]
    body = message.body + (f"\n\n{absolute(message.link)}" if message.link else "")
    if backend != "smtp":
        _gateway(backend).send(address, f"{subject}\n{body}", message.dedupe_key)
        return
    from flask_mail import Mail, Message

    mail = current_app.extensions.get("mail") or Mail(current_app)
    # A public alert's one-click unsubscribe (RFC 8058); no extra header on any other message.
    msg = Message(
        subject=subject, recipients=[address], body=body, extra_headers=alerts.list_headers(key, message.link)
    )
    msg.msgId = email_message_id(message)  # replaces Flask-Mail's random one: one Message-ID, ours
    try:
        mail.send(msg)
    except smtplib.SMTPRecipientsRefused as err:
        refusals = list(err.recipients.values())
        if refusals and all(code >= 500 for code, _reply in refusals):
            code, reply = refusals[0]
            reply = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
            raise Undeliverable(f"the mail server refused {address} permanently: {code} {reply}") from None
        raise  # 4xx: the server may take it later


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))


@job
def deliver(message_id: int) -> str:
    """Deliver one outbox message; returns what happened (for the job's result)."""
    query = select(OutboxMessage).where(OutboxMessage.id == message_id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    message = db.session.scalar(query)
    if message is None:
        db.session.rollback()
        return "busy or gone"
    if message.status in ("sent", "dead"):
        db.session.rollback()
        return message.status
    try:
        _send(message)
        message.status, message.sent_at = "sent", now()
        message.attempts += 1
        message.last_error = None
        db.session.commit()
        return "sent"
    except Undeliverable as err:
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        message.attempts += 1
        message.status, message.last_error = "dead", f"Undeliverable: {err}"[:2000]
        db.session.commit()
        log.warning("outbox message %s is undeliverable: %s", message_id, err)
        return message.status
    except IntegrityError:  # the in-app notification exists: an earlier run delivered it
        db.session.rollback()
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(status="sent"))
        db.session.commit()
        return "sent"
    except Exception as err:
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        message.attempts += 1
        message.last_error = f"{type(err).__name__}: {err}"[:2000]
        message.status = "dead" if message.attempts >= MAX_ATTEMPTS else "failed"
        message.next_attempt_at = now() + backoff(message.attempts)
        db.session.commit()
        log.warning("delivery of outbox message %s failed (%s): %s", message_id, message.attempts, err)
        return message.status


def _queue_for(channel: str) -> str:
    return MAIL_QUEUE if channel in ("email", "sms") else "default"


def hand_over(message_ids: list[int]) -> int:
    """Enqueue deliveries and stamp them as handed over; returns how many went to the queue."""
    if not message_ids:
        return 0
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.channel).where(OutboxMessage.id.in_(message_ids))
    ).all()
    handed = [mid for mid, channel in rows if enqueue(deliver, mid, queue=_queue_for(channel))]
    if handed:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(handed)).values(enqueued_at=now()))
        db.session.commit()
    return len(handed)


@job
def relay_outbox(limit: int = 500) -> int:
    """Hand over every message that is due and not handed over recently (missed while Redis was down,
    lost with a killed worker, or waiting for its retry)."""
    at = now()
    lease: datetime = at - timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_(("pending", "failed")),
                OutboxMessage.next_attempt_at <= at,
                or_(OutboxMessage.enqueued_at.is_(None), OutboxMessage.enqueued_at < lease),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    return hand_over(ids)


def retry(message_id: int) -> None:
    """An operator's retry of a failed or dead message: due now, handed over now."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status == "sent":
        return
    message.status, message.next_attempt_at, message.enqueued_at = "pending", now(), None
    if message.attempts >= MAX_ATTEMPTS:
        message.attempts = MAX_ATTEMPTS - 1
    db.session.commit()
    hand_over([message_id])


def install_hooks() -> None:
    """Deliver new outbox messages right after the transaction that wrote them commits: the rows were
    stamped as handed over when created; if the queue cannot take them now, the relay picks them up once
    the lease has run out."""
    after_commit.hand_over_after_commit(
        OutboxMessage, lambda message: enqueue(deliver, message.id, queue=_queue_for(message.channel))
    )
