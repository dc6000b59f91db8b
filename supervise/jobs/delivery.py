"""Delivery of outbox messages: in-app at once, e-mail and SMS by one job per commit, retried with
backoff, relayed when missed.

An in-app message is delivered in the transaction that writes it: the flush that inserts the outbox row
inserts its notification and marks the row sent, so a notice never waits behind mail in a queue. The
e-mail and SMS messages a commit wrote are handed over after it as one job (:func:`deliver_many`).

Delivery is idempotent: a sent message is never sent again, and two copies of the job never work on
one message at once (the row is locked, ``SKIP LOCKED`` on PostgreSQL). In-app delivery writes the
notification in the same transaction that marks the message sent, so it happens exactly once. An
e-mail carries exactly one Message-ID, derived from the message, so a resend after a crash between
the SMTP hand-over and the commit is recognisable as the same mail. A message that can never be
delivered (an invalid address, or one the mail server refuses with a 5xx reply) is given up at once
with the reason, instead of being retried until the attempts run out. E-mail goes over the worker's
one kept SMTP connection (:mod:`supervise.jobs.smtp`).
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
from supervise.jobs import MAIL_QUEUE, Call, after_commit, enqueue, enqueue_many, job, smtp
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


def _notification(message: OutboxMessage) -> Notification:
    return Notification(
        user_id=message.user_id,
        outbox=message,
        ticket_id=message.ticket_id,
        subject=message.subject,
        body=message.body,
        link=message.link,
    )


def _send(message: OutboxMessage) -> None:
    key = message.dedupe_key
    if message.channel == "inapp":  # a row written before in-app messages were delivered at once
        db.session.add(_notification(message))
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
    from flask_mail import Message

    smtp.mail_state()  # Flask-Mail set up: the message takes its default sender
    # A public alert's one-click unsubscribe (RFC 8058); no extra header on any other message.
    msg = Message(
        subject=subject, recipients=[address], body=body, extra_headers=alerts.list_headers(key, message.link)
    )
    msg.msgId = email_message_id(message)  # replaces Flask-Mail's random one: one Message-ID, ours
    try:
        smtp.send(msg)
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


#: Messages per job when the relay hands over a backlog (several workers share it).
RELAY_BATCH = 50


def _queue_for(channel: str) -> str:
    return MAIL_QUEUE if channel in ("email", "sms") else "default"


@job
def deliver_many(message_ids: list[int]) -> dict[str, int]:
    """Deliver the messages of one commit (or one batch of the relay), each as :func:`deliver` does,
    each in its own transaction; how many ended in each status."""
    outcome: dict[str, int] = {}
    for message_id in message_ids:
        status = deliver(message_id)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def _calls(rows: list[tuple[int, str, bool]]) -> list[Call]:
    """One job per queue for ``rows`` (id, channel, to a user): the messages to an address (a
    complaint's acknowledgement) first, then by id, at most :data:`RELAY_BATCH` to a job."""
    by_queue: dict[str, list[int]] = {}
    for message_id, channel, _to_user in sorted(rows, key=lambda row: (row[2], row[0])):
        by_queue.setdefault(_queue_for(channel), []).append(message_id)
    return [
        Call(deliver_many, (ids[at : at + RELAY_BATCH],), queue)
        for queue, ids in by_queue.items()
        for at in range(0, len(ids), RELAY_BATCH)
    ]


def hand_over(message_ids: list[int]) -> int:
    """Enqueue deliveries and stamp them as handed over; returns how many went to the queue."""
    if not message_ids:
        return 0
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.user_id.is_not(None)).where(
            OutboxMessage.id.in_(message_ids)
        )
    ).all()
    if not rows or not enqueue_many(_calls([tuple(row) for row in rows])):
        return 0
    handed = [row[0] for row in rows]
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


def _deliver_inapp_at_flush(session, flush_context, instances) -> None:
    """Before a flush: each new in-app message gets its notification and is sent, in this transaction."""
    for obj in list(session.new):
        if isinstance(obj, OutboxMessage) and obj.channel == "inapp" and obj.status in (None, "pending"):
            obj.status, obj.sent_at, obj.attempts = "sent", now(), 1
            session.add(_notification(obj))


def _hand_over_commit(messages: list[OutboxMessage]) -> None:
    """After a commit: its e-mail and SMS messages as one job (no query: the transaction is over)."""
    due = [(m.id, m.channel, m.user_id is not None) for m in messages if m.status in (None, "pending")]
    for call in _calls(due):
        enqueue(call.func, *call.args, queue=call.queue)


_flush_hook_installed = False


def install_hooks() -> None:
    """Deliver in-app messages at the flush that writes them; hand the rest over right after the
    transaction that wrote them commits, as one job: the rows were stamped as handed over when created;
    if the queue cannot take them now, the relay picks them up once the lease has run out."""
    global _flush_hook_installed
    if not _flush_hook_installed:
        from flask_sqlalchemy.session import Session
        from sqlalchemy import event

        event.listen(Session, "before_flush", _deliver_inapp_at_flush)
        _flush_hook_installed = True
    after_commit.hand_over_after_commit(OutboxMessage, _hand_over_commit, per_commit=True)
