"""Who may fetch an uploaded file: the attachment rules on top of who may see the ticket.

Kept apart from :mod:`supervise.domain.access` (which the state machine asks who is a party) because
these rules ask the state machine which steps the enterprise sees.
"""

from supervise.domain.access import parties
from supervise.domain.workflow import visible_to_enterprise
from supervise.models import Attachment, User


def may_download(user: User | None, attachment: Attachment) -> bool:
    """Released files of published tickets are public; otherwise the ticket's parties may fetch them.

    An enterprise (or its cadre) does not get files attached to steps hidden from it, such as a
    unit's internal progress note.
    """
    ticket = attachment.ticket
    if attachment.released and ticket.is_published:
        return True
    mine = parties(user, ticket) - {"system"}
    if not mine:
        return False
    if mine == {"enterprise"} and attachment.event is not None:
        return visible_to_enterprise(attachment.event)
    return True
