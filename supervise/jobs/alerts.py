"""Public e-mail alerts, the jobs: the fan-out of one alerted event to its followers, the relay of
fan-outs that were missed, and forgetting unconfirmed subscriptions.

The request that records an event writes one :class:`~supervise.models.AlertEvent` row, never one per
follower; this job reads the followers in batches by address (a unit with thousands of followers is a
few queries) and writes one outbox message per subscription × event (``alert:e<event>:s<subscription>``,
unique), skipping those already written: a retry, or a second copy of the job, never sends twice. The
outbox delivers them like every other message.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from supervise.domain import alerts as rules
from supervise.domain import disclosure
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.domain.locales import speaking
from supervise.domain.mail import subject_line
from supervise.domain.redaction import terms_for
from supervise.extensions import db
from supervise.jobs import after_commit, delivery, enqueue, job, mode
from supervise.models import AlertEvent, AlertSubscription, OutboxMessage, TicketEvent
from supervise.operations import alerts as operations

log = logging.getLogger(__name__)
BATCH = 500


class _Fanout:
    """One event's alert, written for batch after batch of followers."""

    def __init__(self, event: TicketEvent):
        self.event = event
        ticket = event.ticket
        self.view = disclosure.public_view(ticket, load_calendar(), now(), with_events=False)
        self.terms = terms_for(ticket)
        self.targets: dict[tuple[str, int], rules.Target | None] = {}
        self.texts: dict[tuple[str, str, int], tuple[str, str]] = {}

    def _text(self, subscription: AlertSubscription) -> tuple[str, str] | None:
        kind, ident = subscription.target_kind, subscription.target_id
        if (kind, ident) not in self.targets:
            self.targets[kind, ident] = rules.find_target(kind, ident)
        target = self.targets[kind, ident]
        if target is None:
            return None
        locale = rules.locale_or_default(subscription.locale)
        if (locale, kind, ident) not in self.texts:
            with speaking(locale):
                self.texts[locale, kind, ident] = rules.compose_alert(self.view, self.event, self.terms, target)
        return self.texts[locale, kind, ident]

    def write(self, batch: list[AlertSubscription], previous_email: str) -> list[int]:
        """Outbox rows for ``batch`` (ordered by address, the most specific subscription first): one per
        address, none already written, in one INSERT. Returns their ids."""
        chosen, last = [], previous_email
        for subscription in batch:
            if subscription.email != last:
                chosen.append(subscription)
                last = subscription.email
        keys = {s.id: rules.alert_key(self.event.id, s.id) for s in chosen}
        written = set(
            db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values())))
        )
        at, rows = now(), []
        for subscription in chosen:
            text = self._text(subscription)
            if keys[subscription.id] in written or text is None:
                continue
            subject, body = text
            rows.append(
                {
                    "dedupe_key": keys[subscription.id],
                    "channel": "email",
                    "address": subscription.email,
                    "subject": subject_line(subject),
                    "body": body,
                    "link": rules.unsubscribe_path(subscription),
                    "next_attempt_at": at,
                    "enqueued_at": at,
                }
            )
        if not rows:
            return []
        return list(db.session.scalars(insert(OutboxMessage).returning(OutboxMessage.id), rows))


def _batches(fanout: _Fanout):
    """Each batch of followers with the address before it, committing the previous batch's messages."""
    after = ""
    while True:
        batch = list(db.session.scalars(rules.followers(fanout.event.ticket, after, BATCH)))
        if not batch:
            return
        yield batch, after
        after = batch[-1].email


def _deliver(message_ids: list[int]) -> None:
    """Hand the batch's messages to the mail queue now (a bulk INSERT is not seen by the outbox's
    after-commit hook; the relay would take them within its lease). In the eager mode of the tests the
    caller delivers, as for every outbox message."""
    if message_ids and mode() != "eager":
        delivery.hand_over(message_ids)


def _lock(alert_event_id: int) -> AlertEvent | None:
    query = select(AlertEvent).where(AlertEvent.id == alert_event_id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


@job
def fan_out(alert_event_id: int) -> str:
    """Write the alerts of one event to the outbox, for every follower; idempotent."""
    row = _lock(alert_event_id)
    if row is None or row.done_at is not None:
        db.session.rollback()
        return "done, busy or gone"
    event = db.session.get(TicketEvent, row.event_id)
    sent = 0
    # Withdrawn from the public pages before the fan-out ran: its followers hear nothing more.
    if event.ticket.published_at is not None:
        fanout = _Fanout(event)
        for batch, previous in _batches(fanout):
            try:
                ids = fanout.write(batch, previous)
                db.session.commit()
            except IntegrityError:  # another copy of the job wrote some of them: write the rest
                db.session.rollback()
                ids = fanout.write(batch, previous)
                db.session.commit()
            sent += len(ids)
            _deliver(ids)
    db.session.execute(
        update(AlertEvent).where(AlertEvent.id == alert_event_id).values(done_at=now(), sent=AlertEvent.sent + sent)
    )
    db.session.commit()
    return f"alerts {sent}"


def hand_over(ids: list[int]) -> int:
    handed = [ident for ident in ids if enqueue(fan_out, ident)]
    if handed:
        db.session.execute(update(AlertEvent).where(AlertEvent.id.in_(handed)).values(enqueued_at=now()))
        db.session.commit()
    return len(handed)


def relay(limit: int = 100) -> int:
    """Hand over the fan-outs not done and not handed over recently (Redis was down, a worker died)."""
    lease: datetime = now() - timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    ids = db.session.scalars(
        select(AlertEvent.id)
        .where(AlertEvent.done_at.is_(None), or_(AlertEvent.enqueued_at.is_(None), AlertEvent.enqueued_at < lease))
        .order_by(AlertEvent.id)
        .limit(limit)
    )
    return hand_over(list(ids))


@job
def public_alerts() -> str:
    """The periodic part: relay missed fan-outs and forget the subscriptions never confirmed."""
    from supervise.jobs.periodic import _recorded

    def work() -> str:
        expired = operations.expire_unconfirmed(now())
        db.session.commit()
        return f"handed over {relay()}, unconfirmed expired {expired}"

    return _recorded("public_alerts", work)


def install_hooks() -> None:
    """Fan out a new alerted event right after the transaction that recorded it commits."""
    after_commit.hand_over_after_commit(AlertEvent, lambda row: enqueue(fan_out, row.id))
