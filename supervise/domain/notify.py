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
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from supervise.domain import access
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.links import absolute
from supervise.models import Notification, OutboxMessage, Role, Ticket, TicketEvent, User

# Which parties hear about the events that are not transitions ("filer" is the acknowledgement to the
# complaint's contact); each transition declares its own audience (``workflow.transitions``).
AUDIENCE: dict[str, tuple[str, ...]] = {
    "submit": ("supervisors", "filer"),
    # alerts raised by the periodic supervision jobs
    "alert_yellow": ("handlers",),
    "alert_orange": ("unit",),
    "alert_red": ("unit", "supervisors"),
    "alert_sign_overdue": ("unit", "supervisors"),
    "alert_accept_overdue": ("supervisors",),
    "alert_order_overdue": ("unit", "supervisors"),
    "alert_rating_reminder": ("enterprise", "filer"),
    "alert_monthly_report": ("unit",),
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


def _compose(ticket: Ticket, event: TicketEvent, recipient: Recipient) -> tuple[str, str, str]:
    """Subject, body and link of the message, in the recipient's language."""
    from supervise.domain.timeline import label

    what = str(label(event.action))
    link = _link_for(ticket, recipient)
    if recipient.user is None:  # the acknowledgement and other messages to the complaint's contact
        subject = _("Complaint %(no)s: %(what)s", no=ticket.tracking_no, what=what)
        body = _(
            'Your complaint "%(title)s" has tracking number %(no)s and retrieval code %(code)s. '
            "Look up its progress at %(url)s.",
            title=ticket.title,
            no=ticket.tracking_no,
            code=ticket.retrieval_code,
            url=absolute("/lookup"),
        )
        if event.action != "submit":
            body = _("%(what)s.", what=what) + " " + body
        return subject, body, link
    subject = _("[%(what)s] %(no)s %(title)s", what=what, no=ticket.tracking_no, title=ticket.title)
    body = event.note or what
    if event.data and event.data.get("due"):
        body += "\n" + _("Due: %(due)s", due=event.data["due"])
    return subject, body, link


def _link_for(ticket: Ticket, recipient: Recipient) -> str:
    user = recipient.user
    if user is None:
        return "/lookup"
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
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
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


def queue_messages(ticket: Ticket, event: TicketEvent) -> list[OutboxMessage]:
    """Outbox rows for ``event``; none twice for the same event, recipient and channel."""
    audience = audience_of(event.action)
    if event.action == "rate" and event.to_state is not None and event.to_state.value == "rating_review":
        audience = BAD_RATING_AUDIENCE
    if not audience:
        return []
    if event.id is None:
        db.session.flush()
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    messages = []
    for recipient in _recipients(ticket, audience):
        if recipient.user is not None and event.actor_id == recipient.user.id:
            continue  # nobody is told about their own action
        with force_locale(recipient.locale or default_locale):
            subject, body, link = _compose(ticket, event, recipient)
        channels = [("inapp", None)] if recipient.user is not None else []
        channels += [("email", recipient.email)] if recipient.email else []
        channels += [("sms", recipient.mobile)] if recipient.mobile else []
        for channel, address in channels:
            messages.append(
                _outbox(
                    f"e{event.id}:{recipient.key}:{channel}",
                    channel,
                    subject,
                    body,
                    user=recipient.user,
                    address=address,
                    ticket=ticket,
                    link=link,
                )
            )
    return messages


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
