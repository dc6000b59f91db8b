"""Who may fetch an uploaded file, and under which name the public sees it: the attachment rules on
top of who may see the ticket.

Kept apart from :mod:`supervise.domain.access` (which the state machine asks who is a party) because
these rules ask the state machine which steps the enterprise sees.
"""

import os

from flask_babel import gettext as _
from sqlalchemy import select

from supervise.domain.access import parties
from supervise.domain.replies import is_reply_file, sent_reply_files, sent_reply_ids
from supervise.domain.timeline import visible_to_enterprise
from supervise.extensions import db
from supervise.models import Attachment, Role, Ticket, User


def is_public(attachment: Attachment) -> bool:
    """A released file of a published ticket; a reply's file only once the result is published too."""
    ticket = attachment.ticket
    if not (attachment.released and ticket.is_published):
        return False
    return not is_reply_file(attachment) or ticket.result_published_at is not None


def public_files(ticket: Ticket) -> list[tuple[Attachment, str]]:
    """The files the public may fetch, each with the name it is shown under.

    The name is made, never the uploader's: a file name often carries the company's name or a short
    form of it that no redaction term knows ("关于某公司诉求的答复.pdf"). Only the extension is kept.
    """
    found = []
    for attachment in ticket.attachments:
        if is_public(attachment):
            found.append((attachment, _made_up_name(ticket, attachment, len(found) + 1)))
    return found


def masked_name(attachment: Attachment) -> str:
    """The file's name for someone who does not see its ticket (the filer of a complaint merged into it,
    perhaps another company): made up like :func:`public_files`', the uploader's name may carry the
    company's in a form no redaction term knows."""
    ticket = attachment.ticket
    files = sent_reply_files(ticket) if is_reply_file(attachment) else [a for a in ticket.attachments]
    number = files.index(attachment) + 1 if attachment in files else 1
    return _made_up_name(ticket, attachment, number)


def _made_up_name(ticket: Ticket, attachment: Attachment, number: int) -> str:
    label = _("Reply document") if is_reply_file(attachment) else _("Document")
    extension = os.path.splitext(attachment.filename)[1].lower()[:10]
    return f"{ticket.tracking_no}-{label}{number}{extension}"


def _follows_by_merge(user: User | None, ticket: Ticket) -> bool:
    """Is ``user`` the enterprise of a complaint merged into ``ticket``?"""
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in (Role.ENTERPRISE, Role.CADRE):
        return False
    merged = db.session.scalars(select(Ticket).where(Ticket.merged_into_id == ticket.id))
    return any("enterprise" in parties(user, m) for m in merged)


def may_download(user: User | None, attachment: Attachment) -> bool:
    """Public files are anyone's; otherwise the ticket's parties may fetch them.

    An enterprise (or its cadre) does not get files attached to steps hidden from it, such as a unit's
    internal progress note, but gets the files of every reply the supervisor sent it; so does the
    enterprise of a complaint merged into the ticket (it follows this ticket's handling).
    """
    if is_public(attachment):
        return True
    ticket = attachment.ticket
    mine = parties(user, ticket) - {"system"}
    sent_reply = is_reply_file(attachment) and attachment.event_id in sent_reply_ids(ticket)
    if not mine:
        return sent_reply and _follows_by_merge(user, ticket)
    if mine == {"enterprise"} and attachment.event is not None:
        return visible_to_enterprise(attachment.event) or sent_reply
    return True
