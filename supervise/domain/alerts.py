"""Public e-mail alerts: anyone may follow a unit, a category or one published ticket by e-mail.

The rules in one place: what can be followed, the signed links (confirmation and unsubscribe), which
events are alerted (a public event on a published ticket), who follows a ticket, and what an alert
says — built from :class:`~supervise.domain.disclosure.PublicTicket` only, like the public pages, so
that no enterprise identity can reach a subscriber.

Double opt-in: nothing but the confirmation is sent before the address confirms; an unconfirmed
subscription expires after :data:`CONFIRM_HOURS`. Every alert carries a one-click unsubscribe link
(RFC 8058 ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers, :func:`list_headers`).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, or_, select

from supervise import labels
from supervise.domain import mail, notify
from supervise.domain.clock import now
from supervise.domain.disclosure import PUBLIC_NOTE_ACTIONS, PublicTicket
from supervise.domain.redaction import redact, terms_for
from supervise.extensions import db
from supervise.links import absolute
from supervise.models import AlertEvent, AlertSubscription, Category, Ticket, TicketEvent, Unit

UNIT, CATEGORY, TICKET = "unit", "category", "ticket"
TARGET_KINDS = (UNIT, CATEGORY, TICKET)
CONFIRM_HOURS = 48
#: Every alert's outbox key starts so: ``alert:e<event>:s<subscription>`` (one per subscription × event).
KEY_PREFIX = "alert:"
CONFIRM, UNSUBSCRIBE = "confirm", "unsubscribe"


@dataclass(frozen=True)
class Target:
    """Something that can be followed, with its public name."""

    kind: str
    id: int
    name: str


def find_target(kind: str, ident: int | None) -> Target | None:
    """The unit (active), category (active) or published ticket ``ident``; None when it cannot be followed."""
    if ident is None or kind not in TARGET_KINDS:
        return None
    if kind == TICKET:
        ticket = db.session.get(Ticket, ident)
        if ticket is None or ticket.published_at is None:
            return None
        return Target(kind, ident, f"{ticket.tracking_no} {redact(ticket.public_title, terms_for(ticket))}")
    row = db.session.get(Unit if kind == UNIT else Category, ident)
    if row is None or not row.active:
        return None
    return Target(kind, ident, row.name if kind == UNIT else row.full_name)


def target_of(subscription: AlertSubscription) -> Target | None:
    return find_target(subscription.target_kind, subscription.target_id)


def normalize_address(email: str) -> str:
    """A subscriber's address as stored: the one address rule (:mod:`supervise.domain.mail`), then in
    lower case, so that one person has one subscription per target however they type it.
    Raises :class:`~supervise.domain.mail.InvalidEmail`."""
    address = mail.normalize_email(email)
    if address is None:
        raise mail.InvalidEmail(_("Enter your e-mail address."))
    return address.lower()


def locale_or_default(locale: str | None) -> str:
    """The language a subscriber reads: the one they subscribed in, else the platform's."""
    return locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def new_nonce() -> str:
    return secrets.token_hex(16)


# ---------------------------------------------------------------- signed links


def _digest(purpose: str, subscription_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"alerts:{purpose}:{subscription_id}:{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def token(subscription: AlertSubscription, purpose: str) -> str:
    """The signed token of a confirmation or unsubscribe link: the subscription's id and an HMAC
    (``SECRET_KEY``) of it with its random nonce. It cannot be guessed nor made for another row."""
    return f"{subscription.id}-{_digest(purpose, subscription.id, subscription.nonce)}"


def read_token(value: str, purpose: str) -> AlertSubscription | None:
    """The subscription a token was made for; None when it is forged, stale or of another purpose."""
    ident, _sep, digest = (value or "").partition("-")
    if not ident.isascii() or not ident.isdigit() or len(ident) > 9:
        return None
    subscription = db.session.get(AlertSubscription, int(ident))
    if subscription is None:
        return None
    if not hmac.compare_digest(digest.encode(), _digest(purpose, subscription.id, subscription.nonce).encode()):
        return None
    return subscription


def confirm_expired(subscription: AlertSubscription, at: datetime) -> bool:
    return subscription.confirmed_at is None and subscription.requested_at < at - timedelta(hours=CONFIRM_HOURS)


def confirm_path(subscription: AlertSubscription) -> str:
    """The path of the confirmation link (``public.alert_confirm``; written out: jobs have no request)."""
    return f"/alerts/confirm/{token(subscription, CONFIRM)}"


def unsubscribe_path(subscription: AlertSubscription) -> str:
    """The path of the unsubscribe link (``public.alert_unsubscribe``), in every alert."""
    return f"/alerts/unsubscribe/{token(subscription, UNSUBSCRIBE)}"


def list_headers(dedupe_key: str, link: str | None) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers of an alert e-mail (its link is the unsubscribe link): a mail
    client offers "unsubscribe" and POSTs to it with one click. None for any other message."""
    if not dedupe_key.startswith(KEY_PREFIX) or not link:
        return {}
    return {"List-Unsubscribe": f"<{absolute(link)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# ---------------------------------------------------------------- which events, who follows


def alerted(event: TicketEvent) -> bool:
    """An event the followers hear about: public, on a ticket that is published (the publication itself
    included)."""
    return bool(event.public) and event.ticket.published_at is not None


def on_event_recorded(event: TicketEvent) -> None:
    """Record an alerted event for the fan-out after the commit (a receiver of ``event_recorded``)."""
    if notify.is_suppressed() or not alerted(event):
        return
    if event.id is None:
        db.session.flush()
    db.session.add(AlertEvent(event_id=event.id, enqueued_at=now()))  # handed over after the commit


def followers(ticket: Ticket, after_email: str, limit: int) -> Select:
    """The confirmed subscriptions that follow ``ticket`` (itself, its lead unit, its category or that
    category's area), by address after ``after_email``; an address's most specific one first."""
    category_ids = [ticket.category_id] + ([ticket.category.parent_id] if ticket.category.parent_id else [])
    sub = AlertSubscription
    matches = [and_(sub.target_kind == TICKET, sub.target_id == ticket.id)]
    matches.append(and_(sub.target_kind == CATEGORY, sub.target_id.in_(category_ids)))
    if ticket.lead_unit_id is not None:
        matches.append(and_(sub.target_kind == UNIT, sub.target_id == ticket.lead_unit_id))
    rank = case({TICKET: 0, CATEGORY: 1}, value=sub.target_kind, else_=2)
    return (
        select(sub)
        .where(or_(*matches), sub.confirmed_at.is_not(None), sub.email > after_email)
        .order_by(sub.email, rank, sub.id)
        .limit(limit)
    )


def alert_key(event_id: int, subscription_id: int) -> str:
    return f"{KEY_PREFIX}e{event_id}:s{subscription_id}"


# ---------------------------------------------------------------- what is said


def _event_text(view: PublicTicket, event: TicketEvent, terms: list[str]) -> str:
    if event.action == "publish":
        return view.summary
    if event.action == "publish_result":
        return view.reply
    if event.action in PUBLIC_NOTE_ACTIONS:
        return redact(event.note, terms)
    return ""


def compose_alert(view: PublicTicket, event: TicketEvent, terms: list[str], target: Target) -> tuple[str, str]:
    """Subject and body of an alert, in the current locale, from the public view of the ticket only."""
    from supervise.domain.timeline import label

    what = str(label(event.action))
    subject = _("[%(what)s] %(no)s %(title)s", what=what, no=view.tracking_no, title=view.title)
    lines = [
        f"{view.tracking_no} {view.title}",
        _("%(what)s, %(at)s", what=what, at=f"{event.at:%Y-%m-%d %H:%M}"),
        _("State: %(state)s", state=labels.STATE[view.state]),
        _("Lead unit: %(unit)s", unit=view.lead_unit or "—"),
    ]
    text = _event_text(view, event, terms)
    if text:
        lines += ["", text]
    lines += [
        "",
        _("Read it on the public page: %(url)s", url=absolute(f"/disclosure/{view.tracking_no}")),
        "",
        _("You receive this alert because you follow %(target)s.", target=target.name),
        _("To stop these alerts, open this link (no account needed):"),
    ]
    return subject, "\n".join(lines)


def compose_confirmation(target: Target, link: str) -> tuple[str, str]:
    """Subject and body of the confirmation mail (the only mail sent before confirmation)."""
    subject = _("Confirm your alerts: %(target)s", target=target.name)
    body = "\n".join(
        [
            _("Someone, hopefully you, asked for e-mail alerts about %(target)s.", target=target.name),
            _("To confirm, open this link within %(hours)d hours:", hours=CONFIRM_HOURS),
            absolute(link),
            "",
            _("If you did not ask for it, ignore this mail: nothing will be sent to you."),
        ]
    )
    return subject, body


def compose_already(target: Target, link: str) -> tuple[str, str]:
    """Subject and body of the reminder to an address that already follows ``target``."""
    subject = _("You already follow %(target)s", target=target.name)
    body = "\n".join(
        [
            _("This address already receives alerts about %(target)s.", target=target.name),
            _("To stop these alerts, open this link (no account needed):"),
            absolute(link),
        ]
    )
    return subject, body
