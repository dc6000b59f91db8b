"""Public e-mail alerts, the write side: subscribing (double opt-in), confirming, unsubscribing and
forgetting unconfirmed requests. No account: the visitor acts through the signed links alone
(:mod:`supervise.domain.alerts`). Nothing here commits.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from supervise.domain import alerts as rules
from supervise.domain import notify
from supervise.domain.locales import speaking
from supervise.extensions import db
from supervise.models import AlertSubscription, OutboxMessage


def subscribe(email: str, target: rules.Target, locale: str | None, at: datetime) -> AlertSubscription:
    """Ask for alerts about ``target`` at ``email``: one row per (address, target). A new or still
    unconfirmed request gets a (new) confirmation mail; a confirmed one a reminder with its unsubscribe
    link. Either way the visitor is told the same, so the answer reveals nothing about an address.

    Raises :class:`~supervise.domain.mail.InvalidEmail` for an address the one rule refuses.
    """
    address = rules.normalize_address(email)
    subscription = db.session.scalar(
        select(AlertSubscription).where(
            AlertSubscription.email == address,
            AlertSubscription.target_kind == target.kind,
            AlertSubscription.target_id == target.id,
        )
    )
    if subscription is None:
        subscription = AlertSubscription(email=address, target_kind=target.kind, target_id=target.id)
        db.session.add(subscription)
    if subscription.confirmed_at is None:
        # A new nonce: the links of an earlier request stop working, and the new mail is a new message.
        subscription.nonce, subscription.requested_at, subscription.locale = rules.new_nonce(), at, locale
        db.session.flush()
        with speaking(rules.locale_or_default(locale)):
            subject, body = rules.compose_confirmation(target, rules.confirm_path(subscription))
        key = f"alert-confirm:s{subscription.id}:{subscription.nonce}"
    else:
        db.session.flush()
        with speaking(rules.locale_or_default(subscription.locale or locale)):
            subject, body = rules.compose_already(target, rules.unsubscribe_path(subscription))
        key = f"alert-already:s{subscription.id}:{at:%Y%m%d%H}"  # at most one reminder an hour
    if not db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
        notify.tell_address(key, "email", address, subject, body)
    return subscription


def confirm(token: str, at: datetime) -> AlertSubscription | None:
    """Confirm the subscription of a confirmation link; None for a forged, stale or expired link.
    Confirming twice is harmless."""
    subscription = rules.read_token(token, rules.CONFIRM)
    if subscription is None or rules.confirm_expired(subscription, at):
        return None
    subscription.confirmed_at = subscription.confirmed_at or at
    return subscription


def unsubscribe(token: str) -> bool:
    """End the subscription of an unsubscribe link (the row and its address are deleted); False for a
    forged link or one already used."""
    subscription = rules.read_token(token, rules.UNSUBSCRIBE)
    if subscription is None:
        return False
    db.session.delete(subscription)
    return True


def expire_unconfirmed(at: datetime) -> int:
    """Forget the requests not confirmed within :data:`~supervise.domain.alerts.CONFIRM_HOURS`."""
    cutoff = at - timedelta(hours=rules.CONFIRM_HOURS)
    result = db.session.execute(
        delete(AlertSubscription).where(
            AlertSubscription.confirmed_at.is_(None), AlertSubscription.requested_at < cutoff
        )
    )
    return result.rowcount or 0
