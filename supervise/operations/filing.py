"""Filing a complaint, whatever channel it came through: console intake, the enterprise portal,
Open311, the seed. The channel's view parses its own form and hands over a
:class:`~supervise.domain.intake.Complaint`; everything after that happens here, once."""

from collections.abc import Iterable
from datetime import datetime

from supervise import storage
from supervise.domain import intake, invitations
from supervise.models import ApiKey, Ticket, User

#: Who files: a logged-in user, or an Open311 client's API key (the ticket then has no ``filed_by``).
Filer = User | ApiKey | None


def client_key(channel: str, filer: Filer, value: str | None) -> intake.ClientKey | None:
    """The idempotency key ``value`` of ``filer`` on ``channel``; None when no key was sent (or no one
    sent it: the seed)."""
    if not value or filer is None:
        return None
    tag = f"api-key:{filer.id}" if isinstance(filer, ApiKey) else f"user:{filer.id}"
    return intake.ClientKey(channel, tag, value)


def file_complaint(
    channel: str,
    filer: Filer,
    complaint: intake.Complaint,
    key: str | None = None,
    *,
    uploads: Iterable[storage.CheckedUpload] = (),
    invite: bool = False,
    at: datetime | None = None,
) -> tuple[Ticket, bool]:
    """File ``complaint`` as ``filer`` through ``channel`` (:data:`~supervise.domain.intake.WEB`,
    ``CONSOLE``, ``OPEN311``); ``(ticket, created)``. Does not commit.

    ``key`` is the client's idempotency key: the same filer sending it again on the same channel gets
    the ticket filed the first time (``created`` False) and nothing else happens. A new ticket gets the
    ``uploads`` as attachments of its first event, and with ``invite`` the company, if it has no
    verified account yet, is invited through the contact the complaint gives. Raises
    :class:`~supervise.domain.intake.IntakeError`.
    """
    user = filer if isinstance(filer, User) else None
    ticket, created = intake.file_complaint(complaint, user, client_key=client_key(channel, filer, key), at=at)
    if not created:
        return ticket, False
    for upload in uploads:
        storage.store(upload, ticket, user, ticket.events[0])
    if invite:  # the company may have no account yet: invite the contact taken down
        invitations.invite_if_new(
            complaint.enterprise, complaint.contact_mobile or None, complaint.contact_email or None, by=user
        )
    return ticket, True
