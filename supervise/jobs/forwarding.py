"""Delivery of forwarded tickets to peers, and the periodic fetch of their answers.

Like the outbox: the :class:`~supervise.models.Forwarding` row is written with the ``forward``
transition, handed to the queue after the commit, retried with backoff while the peer is down (the
relay picks up what is due), and never posted twice at once (the row is locked, ``SKIP LOCKED`` on
PostgreSQL). A post the peer took but whose answer was lost is recognised by the peer from the
request's ``client_request_id``: the retry gets the same remote number.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from supervise.domain import forwarding as rules
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.jobs import after_commit, enqueue, job
from supervise.jobs.delivery import MAX_ATTEMPTS, backoff
from supervise.models import Forwarding, State, Ticket

log = logging.getLogger(__name__)
FETCH_BATCH = 200


@job
def deliver_forward(forwarding_id: int) -> str:
    """Post one forwarded ticket to its peer; returns what happened."""
    query = select(Forwarding).where(Forwarding.id == forwarding_id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    forwarding = db.session.scalar(query)
    if forwarding is None or forwarding.status in ("sent", "dead"):
        db.session.rollback()
        return forwarding.status if forwarding else "busy or gone"
    forwarding.attempts += 1
    try:
        remote_id = rules.post(forwarding)
    except rules.PeerError as err:
        forwarding.last_error = str(err)[:2000]
        forwarding.status = "dead" if forwarding.attempts >= MAX_ATTEMPTS else "failed"
        forwarding.next_attempt_at = now() + backoff(forwarding.attempts)
        db.session.commit()
        log.warning(
            "forwarding %s to %s failed (%s): %s", forwarding_id, forwarding.peer.name, forwarding.attempts, err
        )
        return forwarding.status
    rules.record_sent(forwarding, remote_id, now())
    db.session.commit()
    return "sent"


def hand_over(ids: list[int]) -> int:
    """Enqueue deliveries and stamp them as handed over; how many went to the queue."""
    handed = [fid for fid in ids if enqueue(deliver_forward, fid)]
    if handed:
        db.session.execute(update(Forwarding).where(Forwarding.id.in_(handed)).values(enqueued_at=now()))
        db.session.commit()
    return len(handed)


@job
def relay_forwards(limit: int = 100) -> int:
    """Hand over every forward that is due and not handed over recently (a retry's time has come, or
    the queue was down)."""
    at = now()
    lease: datetime = at - timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    ids = db.session.scalars(
        select(Forwarding.id)
        .where(
            Forwarding.status.in_(("pending", "failed")),
            Forwarding.next_attempt_at <= at,
            or_(Forwarding.enqueued_at.is_(None), Forwarding.enqueued_at < lease),
        )
        .order_by(Forwarding.id)
        .limit(limit)
    )
    return hand_over(list(ids))


@job
def fetch_forwarded(limit: int = FETCH_BATCH) -> int:
    """Fetch the peers' status of forwarded tickets still open there, oldest fetch first; put what
    changed on the local timeline. A peer that does not answer is asked again next time."""
    rows = db.session.scalars(
        select(Forwarding)
        .join(Ticket, Ticket.id == Forwarding.ticket_id)
        .where(Forwarding.status == "sent", Ticket.state == State.FORWARDED)
        .where(or_(Forwarding.remote_status.is_(None), Forwarding.remote_status.not_in(("closed", "declined"))))
        .order_by(Forwarding.fetched_at.is_not(None), Forwarding.fetched_at)
        .limit(limit)
    ).all()
    changed = 0
    for forwarding in rows:
        try:
            remote = rules.fetch(forwarding)
        except rules.PeerError as err:
            log.warning("status of forwarding %s from %s: %s", forwarding.id, forwarding.peer.name, err)
            continue
        changed += rules.record_status(forwarding, remote, now())
        db.session.commit()
    return changed


def install_hooks() -> None:
    """Deliver new forwards right after the transaction that wrote them commits (what cannot be enqueued
    then, the relay hands over later)."""
    after_commit.hand_over_after_commit(Forwarding, lambda row: enqueue(deliver_forward, row.id))
