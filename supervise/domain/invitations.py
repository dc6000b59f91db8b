"""Invitations: a company that has no verified account yet is invited through the contact given when
staff, a cadre or an Open311 client filed for it; activating the invitation creates a verified account
(see ``supervise.domain.verification``). Tokens are stored hashed. Nothing here commits.
"""

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from supervise.domain import notify
from supervise.domain.clock import now
from supervise.domain.verification import (
    Contact,
    VerificationError,
    _default_locale,
    _verify,
    contacts_on_record,
    has_verified_account,
)
from supervise.extensions import db
from supervise.links import absolute
from supervise.models import Enterprise, Invitation, Role, User, VerificationMethod, hash_secret

INVITATION_TTL = timedelta(days=14)


def _live_invitations(enterprise: Enterprise):
    return select(Invitation).where(
        Invitation.enterprise_id == enterprise.id,
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now(),
    )


def invite_if_new(
    enterprise: Enterprise, mobile: str | None = None, email: str | None = None, by: User | None = None
) -> Invitation | None:
    """Invite a company that has no verified account yet, through the contact just given by staff, a
    cadre or an Open311 client (``by`` None), so that the caller can log in, follow and rate.

    Nothing when the company has a verified account, when an invitation is still open, or when no
    contact was given.
    """
    if enterprise.id is None:
        db.session.flush()
    if has_verified_account(enterprise) or db.session.scalar(_live_invitations(enterprise).limit(1)):
        return None
    contact = _contact_from(mobile, email)
    return _invite(enterprise, contact, by) if contact else None


def resend_invitation(enterprise: Enterprise, by: User) -> Invitation:
    """A supervisor sends a new invitation to the last invited contact (else the contact on record);
    earlier links stop working."""
    if has_verified_account(enterprise):
        raise VerificationError(_l("This company has a verified account already; its users add colleagues."))
    last = db.session.scalar(
        select(Invitation).where(Invitation.enterprise_id == enterprise.id).order_by(Invitation.id.desc()).limit(1)
    )
    contact = Contact(last.channel, last.address) if last else next(iter(contacts_on_record(enterprise)), None)
    if contact is None:
        raise VerificationError(_l("There is no contact on record to send an invitation to."))
    return _invite(enterprise, contact, by)


def _contact_from(mobile: str | None, email: str | None) -> Contact | None:
    # A hotline caller is reached by SMS first; e-mail when only that was given.
    if mobile:
        return Contact("sms", mobile)
    return Contact("email", email) if email else None


def _invite(enterprise: Enterprise, contact: Contact, by: User | None) -> Invitation:
    at = now()
    db.session.execute(
        update(Invitation)
        .where(Invitation.enterprise_id == enterprise.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        enterprise_id=enterprise.id,
        channel=contact.channel,
        address=contact.address,
        token_hash=hash_secret(token),
        created_at=at,
        created_by_id=by.id if by else None,
        expires_at=at + INVITATION_TTL,
    )
    db.session.add(invitation)
    db.session.flush()
    with _default_locale():
        subject = _("Activate your company's account")
        body = _(
            "The business-environment supervision platform has registered a complaint of %(company)s. "
            "Activate the company's account to follow it and rate the result: %(url)s (valid for "
            "%(days)d days).",
            company=enterprise.name,
            url=absolute(f"/auth/activate/{token}"),
            days=INVITATION_TTL.days,
        )
    notify.tell_address(f"invitation{invitation.id}", contact.channel, contact.address, subject, body)
    return invitation


def invitation_for(token: str) -> Invitation:
    """The open invitation with ``token``; :class:`VerificationError` says why there is none."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_secret(token or "")))
    if invitation is None:
        raise VerificationError(
            _l(
                "This invitation link is not valid. Check that the whole link was copied, "
                "or ask the business-environment office to send a new invitation."
            )
        )
    if invitation.used_at is not None:
        raise VerificationError(_l("This invitation has been used already: log in with the username chosen then."))
    if invitation.revoked_at is not None:
        raise VerificationError(_l("This invitation was replaced by a newer one: use the link in the latest message."))
    if invitation.expires_at <= now():
        raise VerificationError(
            _l("This invitation has expired. Ask the business-environment office to send a new one.")
        )
    return invitation


def activate(invitation: Invitation, username: str, name: str, password: str) -> User:
    """The invitee's verified account of the invited company; the invitation is used up.

    Raises :class:`VerificationError` when a concurrent request used it first.
    """
    at = now()
    taken = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > at,
        )
        .values(used_at=at)
    )
    if taken.rowcount != 1:
        raise VerificationError(_l("This invitation has been used already: log in with the username chosen then."))
    user = User(
        username=username.strip(),
        name=name.strip(),
        role=Role.ENTERPRISE,
        enterprise_id=invitation.enterprise_id,
        mobile=invitation.address if invitation.channel == "sms" else None,
        email=invitation.address if invitation.channel == "email" else None,
    )
    user.set_password(password)
    db.session.add(user)
    _verify(user, VerificationMethod.INVITATION, invitation.created_by)
    db.session.flush()
    db.session.execute(update(Invitation).where(Invitation.id == invitation.id).values(user_id=user.id))
    return user
