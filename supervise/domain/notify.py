"""Who is told about what, and what they are told.

Subscribed to :data:`workflow.event_recorded` (see :mod:`supervise.domain.subscribers`): for every
timeline event it writes outbox rows in the same transaction (delivered by jobs after the commit).
In-app always; e-mail and SMS as each user chose; the filer's acknowledgement goes to the e-mail and
mobile given on the complaint.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from supervise.domain import access, messages
from supervise.domain.clock import now
from supervise.domain.locales import speaking
from supervise.extensions import db
from supervise.links import absolute
from supervise.models import Notification, OutboxMessage, Role, Ticket, TicketEvent, User

# Which parties hear about the events that are not transitions ("filer" is the acknowledgement to the
# complaint's contact); each transition declares its own audience (``workflow.transitions``).
AUDIENCE: dict[str, tuple[str, ...]] = {
    "submit": ("supervisors", "filer"),
    # the reply to the ticket a complaint was merged into (``workflow.merging``)
    "merged_reply": ("enterprise", "filer"),
    "merged_reopened": ("enterprise", "filer"),
    # alerts raised by the periodic supervision jobs
    "alert_yellow": ("handlers",),
    "alert_orange": ("unit",),
    "alert_red": ("unit", "supervisors"),
    "alert_sign_overdue": ("unit", "supervisors"),
    "alert_accept_overdue": ("supervisors",),
    "alert_order_overdue": ("unit", "supervisors"),
    "alert_rating_reminder": ("enterprise", "filer"),
    "alert_monthly_report": ("unit",),
    # deadlines moved by a change of the working-day calendar (``due_moves``)
    "due_moved": ("unit",),
}
# A bad rating goes to the supervisor as well as the unit.
BAD_RATING_AUDIENCE = ("unit", "supervisors")


@dataclass(frozen=True)
class Recipient:
    key: str  # stable part of the dedupe key
    user: User | None = None
    email: str | None = None
    mobile: str | None = None
    locale: str | None = None


def _unit_staff(ticket: Ticket, roles: Iterable[Role]) -> list[User]:
    if ticket.lead_unit_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.unit_id == ticket.lead_unit_id, User.role.in_(list(roles)), User.active.is_(True))
            .order_by(User.id)
        )
    )


def _recipients(ticket: Ticket, audience: Iterable[str]) -> list[Recipient]:
    users: dict[int, User] = {}
    extra: list[Recipient] = []
    for who in audience:
        if who == "supervisors":
            found = db.session.scalars(select(User).where(User.role == Role.SUPERVISOR, User.active.is_(True)))
        elif who == "unit":
            found = _unit_staff(ticket, (Role.HANDLER, Role.LEADER))
        elif who == "handlers":
            found = _unit_staff(ticket, (Role.HANDLER,))
        elif who == "enterprise":
            found = db.session.scalars(
                select(User).where(access.enterprise_accounts_following(ticket), User.active.is_(True))
            )
        elif who == "filer":
            found = []
            extra.append(
                Recipient(key="contact", email=ticket.contact_email or None, mobile=ticket.contact_mobile or None)
            )
        else:
            raise ValueError(who)
        users.update({u.id: u for u in found})
    return [
        Recipient(
            key=f"u{u.id}",
            user=u,
            email=u.email if u.notify_email else None,
            mobile=u.mobile if u.notify_sms else None,
            locale=u.locale,
        )
        for u in users.values()
    ] + extra


def _reader(recipient: Recipient) -> messages.Reader:
    """Which side of the ticket ``recipient`` reads a message from."""
    user = recipient.user
    if user is None:
        return messages.Reader(messages.ENTERPRISE, contact=True)
    if user.role == Role.SUPERVISOR:
        return messages.Reader(messages.SUPERVISOR)
    if user.is_unit_staff:
        return messages.Reader(messages.UNIT)
    return messages.Reader(messages.ENTERPRISE)


def _link_for(ticket: Ticket, recipient: Recipient) -> str | None:
    """The page the message leads to; None for the complaint's contact (its text says how to look the
    complaint up)."""
    user = recipient.user
    if user is None:
        return None
    if user.role == Role.SUPERVISOR:
        return f"/console/tickets/{ticket.id}"
    if user.is_unit_staff:
        return f"/unit/tickets/{ticket.id}"
    return f"/my/tickets/{ticket.id}"


def _outbox(
    key: str,
    channel: str,
    subject: str,
    body: str,
    user: User | None = None,
    address: str | None = None,
    ticket: Ticket | None = None,
    link: str | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        dedupe_key=key,
        channel=channel,
        user_id=user.id if user else None,
        address=address,
        ticket_id=ticket.id if ticket else None,
        subject=subject,
        body=body,
        link=link,
        next_attempt_at=now(),
        enqueued_at=now(),
    )
    db.session.add(message)
    return message


def tell_address(key: str, channel: str, address: str, subject: str, body: str) -> OutboxMessage:
    """One e-mail or SMS (``channel``) to an address that is not a user's, such as a company's contact
    on record or an invitee; ``key`` makes it one row however often the cause repeats. Delivered after
    the commit, like every message."""
    return _outbox(key, channel, subject, body, address=address)


def tell_user(key: str, user: User, compose, link: str | None = None) -> list[OutboxMessage]:
    """A message about no particular ticket to ``user``: in-app, and by e-mail and SMS as they chose.

    ``compose()`` returns (subject, body); it is called in the user's language.
    """
    with speaking(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, body = compose()
    channels = [("inapp", None)]
    channels += [("email", user.email)] if user.email and user.notify_email else []
    channels += [("sms", user.mobile)] if user.mobile and user.notify_sms else []
    return [
        _outbox(f"{key}:u{user.id}:{channel}", channel, subject, body, user=user, address=address, link=link)
        for channel, address in channels
    ]


def audience_of(action: str) -> tuple[str, ...]:
    """Who hears about an event of ``action``: the transition's declared audience, else the table above."""
    from supervise.domain.workflow import TRANSITIONS

    spec = TRANSITIONS.get(action)
    return spec.audience if spec is not None else AUDIENCE.get(action, ())


def _channels(recipient: Recipient) -> list[tuple[str, str | None]]:
    channels = [("inapp", None)] if recipient.user is not None else []
    channels += [("email", recipient.email)] if recipient.email else []
    channels += [("sms", recipient.mobile)] if recipient.mobile else []
    return channels


def _address_key(channel: str, address: str | None) -> str:
    """One spelling of an address, so that the same mailbox or phone written twice is one recipient:
    e-mail in lower case; a mobile number's digits without the country code."""
    text = (address or "").strip()
    if channel == "email":
        return text.lower()
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def message_key(prefix: str, recipient: Recipient, channel: str, address: str | None) -> str:
    """The dedupe key of one message: in-app per user, e-mail and SMS per address, so that two accounts
    (or an account and the complaint's contact) with one address get the message there once."""
    if channel == "inapp":
        return f"{prefix}:{recipient.key}:inapp"
    return f"{prefix}:{channel}:{_address_key(channel, address)}"


def queue_messages(ticket: Ticket, event: TicketEvent) -> list[OutboxMessage]:
    """Outbox rows for ``event``: one per recipient and channel, one per address, none twice however
    often it is called for the same event (the keys already written are skipped)."""
    audience = audience_of(event.action)
    if event.action == "rate" and event.to_state is not None and event.to_state.value == "rating_review":
        audience = BAD_RATING_AUDIENCE
    if not audience:
        return []
    if event.id is None:
        db.session.flush()
    planned: dict[str, tuple[Recipient, str, str | None]] = {}
    for recipient in _recipients(ticket, audience):  # accounts first: their message names their page
        if recipient.user is not None and event.actor_id == recipient.user.id:
            continue  # nobody is told about their own action
        for channel, address in _channels(recipient):
            planned.setdefault(message_key(f"e{event.id}", recipient, channel, address), (recipient, channel, address))
    written = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(planned))))
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    rows = []
    for key, (recipient, channel, address) in planned.items():
        if key in written:
            continue
        link = _link_for(ticket, recipient)
        with speaking(recipient.locale or default_locale):
            text = messages.render(ticket, event, _reader(recipient))
        body = text.body + (f"\n{absolute(link)}" if channel == "sms" and link else "")
        rows.append(_outbox(key, channel, text.subject, body, recipient.user, address, ticket, link))
    return rows


_suppressed: ContextVar[bool] = ContextVar("notifications_suppressed", default=False)


@contextmanager
def suppressed() -> Iterator[None]:
    """Tell nobody about the events recorded inside the block (replaying history, imports)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    """Whether events are being recorded without telling anybody (inside :func:`suppressed`)."""
    return _suppressed.get()


def on_event_recorded(event: TicketEvent) -> None:
    """Queue the messages of ``event`` (a receiver of :data:`workflow.event_recorded`)."""
    if not _suppressed.get():
        queue_messages(event.ticket, event)


def unread_count(user: User) -> int:
    """How many of ``user``'s in-app notifications are unread (the badge in every page's header)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )
