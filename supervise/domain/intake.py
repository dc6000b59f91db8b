"""Intake: every complaint, from any channel, becomes a ticket here."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from supervise.domain import deadlines, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now as clock_now
from supervise.extensions import db
from supervise.models import Category, Enterprise, Source, Ticket, User

RETRIEVAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L

#: The channels a complaint comes through, each with its own namespace of client keys.
WEB, CONSOLE, OPEN311 = "web", "console", "open311"


class IntakeError(workflow.Invalid):
    """A complaint that cannot be filed as given (the data's fault, like a refused transition's)."""


@dataclass
class Complaint:
    """What a complaint consists of, whatever channel it came through."""

    enterprise: Enterprise
    category: Category
    title: str
    description: str
    area_id: int | None = None
    source: Source = Source.ONLINE
    contact_name: str = ""
    contact_mobile: str = ""
    contact_email: str | None = None
    publish_consent: bool = True
    answers: dict | None = None


@dataclass(frozen=True)
class ClientKey:
    """The key a client sends with a complaint so that a retry or a double click files it once, and who
    sent it through which channel: ``filer`` is ``user:<id>`` or ``api-key:<id>``.

    Only :meth:`stored` reaches the database, so two filers or two channels never share a key, and no
    one can send a key that names another's complaint (see :func:`file_complaint`).
    """

    channel: str
    filer: str
    value: str

    @classmethod
    def of_user(cls, channel: str, user: User, value: str | None) -> "ClientKey | None":
        """The key a logged-in user's form carried; None when it carried none."""
        return cls(channel, f"user:{user.id}", value) if value else None

    def stored(self) -> str:
        """A keyed hash (HMAC-SHA-256 with ``SECRET_KEY``) of channel, filer and value: 64 hex digits."""
        message = "\x1f".join((self.channel, self.filer, self.value)).encode("utf-8", "surrogatepass")
        return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def new_retrieval_code() -> str:
    return "".join(secrets.choice(RETRIEVAL_ALPHABET) for _ in range(6))


def tracking_number(ticket_id: int, at: datetime) -> str:
    """Year and month, then the ticket's id: unique, sortable and short enough to read out."""
    return f"{at:%y%m}{ticket_id:07d}"


def file_complaint(
    complaint: Complaint, filed_by: User | None, client_key: ClientKey | None = None, at: datetime | None = None
) -> tuple[Ticket, bool]:
    """Create the ticket, or return the one the same filer already filed with the same ``client_key``.

    Returns ``(ticket, created)``. Does not commit. The key makes a double click (or a client's retry)
    file one complaint, even when both requests race; it is stored derived from the channel and the
    filer (:meth:`ClientKey.stored`), so "already filed" only ever answers the filer who filed it.
    """
    submission_key = client_key.stored() if client_key else None
    if submission_key:
        existing = _by_key(submission_key)
        if existing is not None:
            return existing, False
    if complaint.category.is_area or not complaint.category.active:
        raise IntakeError(_l("Choose a concrete, active category."))
    if not complaint.title.strip() or not complaint.description.strip():
        raise IntakeError(_l("A complaint needs a title and a description."))

    at = at or clock_now()
    ticket = Ticket(
        source=complaint.source,
        enterprise=complaint.enterprise,
        filed_by=filed_by,
        category=complaint.category,
        area_id=complaint.area_id,
        title=complaint.title.strip(),
        description=complaint.description.strip(),
        answers=complaint.answers or None,
        contact_name=complaint.contact_name or complaint.enterprise.contact_name,
        contact_mobile=complaint.contact_mobile or complaint.enterprise.contact_mobile,
        contact_email=complaint.contact_email or complaint.enterprise.email,
        publish_consent=complaint.publish_consent,
        submission_key=submission_key,
        retrieval_code=new_retrieval_code(),
        created_at=at,
        limit_class=complaint.category.limit_class,
        handle_days=deadlines.handle_days_for(complaint.category.limit_class),
        accept_due=deadlines.due_after(load_calendar(), at, deadlines.ACCEPT_DAYS),
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(ticket)
        db.session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        existing = _by_key(submission_key) if submission_key else None
        if existing is None:
            raise
        return existing, False
    ticket.tracking_no = tracking_number(ticket.id, at)
    workflow.record_submission(ticket, filed_by, at)
    return ticket, True


def _by_key(key: str) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(Ticket.submission_key == key))


def find_by_tracking(tracking_no: str, retrieval_code: str) -> Ticket | None:
    """The ticket for a public progress lookup; both halves must match."""
    ticket = db.session.scalar(select(Ticket).where(Ticket.tracking_no == (tracking_no or "").strip()))
    code = (retrieval_code or "").strip().upper()
    # compare_digest refuses a str with non-ASCII characters; no retrieval code has one.
    if ticket is None or not code.isascii() or not secrets.compare_digest(ticket.retrieval_code, code):
        return None
    return ticket
