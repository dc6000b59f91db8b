"""Enterprise identity: an enterprise account speaks for its company only once verified.

Anyone may register an account for a valid credit code, but until it is verified it sees only the
complaints it filed itself (``access``). It is verified

- by a one-time code sent to the company's contact *on record* — one taken down by staff, a cadre or
  an Open311 client, never one typed by a self-registering applicant;
- by a supervisor who checked an uploaded business licence against the credit code;
- by activating an invitation sent to the contact given when staff, a cadre or Open311 filed for a
  company that has no verified account yet;
- by being added by a verified colleague.

Messages go through the outbox (delivered after the commit). Codes and invitation tokens are stored
hashed. Nothing here commits.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, update

from supervise import storage
from supervise.domain import notify
from supervise.domain.clock import now
from supervise.domain.locales import speaking
from supervise.extensions import db
from supervise.models import (
    Enterprise,
    LicenceReview,
    Role,
    User,
    Verification,
    VerificationCode,
    VerificationMethod,
)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5  # wrong guesses before a code is dead
CODE_INTERVAL = timedelta(seconds=60)  # between two codes for one account
CODES_PER_DAY = 5  # per account: a contact is not flooded, a code not farmed
REASON_MAX = 500


class VerificationError(Exception):
    """A step of verification that cannot happen; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# ---------------------------------------------------------------- state


def _verify(user: User, method: VerificationMethod, by: User | None = None) -> None:
    user.verification = Verification.VERIFIED
    user.verification_method = method
    user.verified_at = now()
    user.verified_by_id = by.id if by is not None else None


def verify_by_staff(user: User) -> None:
    """Mark an account set up by the platform's staff (the demo seed) as verified."""
    _verify(user, VerificationMethod.STAFF)


def vouch_for(colleague: User, by: User) -> None:
    """A verified account adds a colleague: the colleague speaks for the same company."""
    if not by.is_verified or by.enterprise_id != colleague.enterprise_id:
        raise VerificationError(_l("Only a verified account can add colleagues."))
    _verify(colleague, VerificationMethod.COLLEAGUE, by)


def has_verified_account(enterprise: Enterprise) -> bool:
    """True when someone has shown they speak for ``enterprise``."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    User.enterprise_id == enterprise.id,
                    User.role == Role.ENTERPRISE,
                    User.verification == Verification.VERIFIED,
                    User.active.is_(True),
                )
            )
        )
    )


# ---------------------------------------------------------------- one-time codes


@dataclass(frozen=True)
class Contact:
    """Where a one-time code or an invitation can go."""

    channel: str  # sms | email
    address: str

    @property
    def masked(self) -> str:
        """The address as an applicant may see it: enough to recognise, not to learn."""
        if self.channel == "sms":
            return self.address[:3] + "****" + self.address[-4:]
        local, _at, domain = self.address.partition("@")
        return f"{local[:1]}***@{domain}"


def contacts_on_record(enterprise: Enterprise | None) -> list[Contact]:
    """The company's contacts that may receive a code: only those staff, a cadre or Open311 recorded."""
    if enterprise is None or not enterprise.contact_on_record:
        return []
    found = [Contact("sms", enterprise.contact_mobile)] if enterprise.contact_mobile else []
    return found + ([Contact("email", enterprise.email)] if enterprise.email else [])


def _code_hash(user_id: int, code: str) -> str:
    # Keyed: six digits are too few to survive a leaked table if hashed plainly.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _default_locale():
    return speaking(current_app.config["BABEL_DEFAULT_LOCALE"])


def send_code(user: User, channel: str) -> VerificationCode:
    """Send ``user`` a one-time code through the company's contact on record on ``channel``.

    Earlier codes stop working. Raises :class:`VerificationError` when the account is verified already,
    the company has no such contact on record, or codes were asked for too often.
    """
    if user.role != Role.ENTERPRISE or user.is_verified:
        raise VerificationError(_l("This account is verified already."))
    contact = next((c for c in contacts_on_record(user.enterprise) if c.channel == channel), None)
    if contact is None:
        raise VerificationError(
            _l(
                "The platform has no contact on record for your company to send a code to; "
                "upload the business licence instead."
            )
        )
    at = now()
    recent = list(
        db.session.scalars(
            select(VerificationCode)
            .where(VerificationCode.user_id == user.id, VerificationCode.created_at > at - timedelta(days=1))
            .order_by(VerificationCode.id.desc())
        )
    )
    if len(recent) >= CODES_PER_DAY:
        raise VerificationError(
            _l(
                "You have asked for %(n)d codes today; try again tomorrow or upload the business licence.",
                n=CODES_PER_DAY,
            )
        )
    if recent and recent[0].created_at > at - CODE_INTERVAL:
        raise VerificationError(_l("A code was sent less than a minute ago; wait for it before asking again."))
    db.session.execute(
        update(VerificationCode)
        .where(
            VerificationCode.user_id == user.id, VerificationCode.used_at.is_(None), VerificationCode.expires_at > at
        )
        .values(expires_at=at)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = VerificationCode(
        user_id=user.id,
        channel=contact.channel,
        address=contact.address,
        code_hash=_code_hash(user.id, code),
        created_at=at,
        expires_at=at + CODE_TTL,
    )
    db.session.add(row)
    db.session.flush()
    with _default_locale():
        subject = _("Verification code %(code)s", code=code)
        body = _(
            "%(code)s is the code with which %(name)s (user %(username)s) asks to act for %(company)s on "
            "the business-environment supervision platform. It is valid for %(minutes)d minutes. If you do "
            "not know this person, do not pass the code on.",
            code=code,
            name=user.name,
            username=user.username,
            company=user.enterprise.name,
            minutes=CODE_TTL.seconds // 60,
        )
    notify.tell_address(f"code{row.id}", contact.channel, contact.address, subject, body)
    return row


def check_code(user: User, code: str) -> str | None:
    """Verify ``user`` with the code they typed: None when it is right, else what is wrong.

    Every guess counts, right or wrong, so the caller commits either way; a code works once, for
    :data:`CODE_TTL`, and dies after :data:`CODE_ATTEMPTS` wrong guesses.
    """
    if user.is_verified:
        return str(_("This account is verified already."))
    query = (
        select(VerificationCode)
        .where(VerificationCode.user_id == user.id)
        .order_by(VerificationCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    row = db.session.scalar(query)
    if row is None:
        return str(_("Ask for a code first."))
    if row.used_at is not None or row.expires_at <= now():
        return str(_("This code has expired; ask for a new one."))
    if row.attempts >= CODE_ATTEMPTS:
        return str(_("Too many wrong codes; ask for a new one."))
    row.attempts += 1
    typed = "".join((code or "").split())
    if not hmac.compare_digest(row.code_hash, _code_hash(user.id, typed)):
        left = CODE_ATTEMPTS - row.attempts
        if not left:
            return str(_("The code is wrong, and that was the last try; ask for a new one."))
        return str(_("The code is wrong; %(n)d tries left.", n=left))
    row.used_at = now()
    _verify(user, VerificationMethod.CODE)
    return None


# ---------------------------------------------------------------- business licence


def submit_licence(user: User, upload: storage.CheckedUpload) -> LicenceReview:
    """Store ``user``'s business licence for a supervisor's review; an earlier pending one is replaced."""
    if user.role != Role.ENTERPRISE or user.is_verified:
        raise VerificationError(_l("This account is verified already."))
    db.session.execute(
        update(LicenceReview)
        .where(LicenceReview.user_id == user.id, LicenceReview.state == "pending")
        .values(state="replaced")
    )
    review = LicenceReview(
        user_id=user.id,
        enterprise_id=user.enterprise_id,
        filename=upload.filename,
        stored_name=storage.write(upload),
        content_type=upload.content_type,
        size=upload.size,
        submitted_at=now(),
    )
    db.session.add(review)
    user.verification = Verification.PENDING
    return review


def _tell_decision(review: LicenceReview, compose) -> None:
    notify.tell_user(f"licence{review.id}", review.user, compose, link="/my/verification")


def approve(review: LicenceReview, supervisor: User) -> None:
    """The licence matches the credit code: the account speaks for the company. Its user is told."""
    if review.state != "pending":
        raise VerificationError(_l("This licence has been decided already."))
    review.state, review.decided_by_id, review.decided_at = "approved", supervisor.id, now()
    _verify(review.user, VerificationMethod.LICENCE, supervisor)
    company = review.enterprise.name
    _tell_decision(
        review,
        lambda: (
            _("Your account is verified"),
            _(
                "The business licence you uploaded was checked: your account now acts for %(company)s and "
                "follows all of its complaints.",
                company=company,
            ),
        ),
    )


def reject(review: LicenceReview, supervisor: User, reason: str) -> None:
    """The licence does not prove the claim; the account stays unverified and its user is told why."""
    reason = (reason or "").strip()[:REASON_MAX]
    if not reason:
        raise VerificationError(_l("Say why the licence is rejected: the applicant is told."))
    if review.state != "pending":
        raise VerificationError(_l("This licence has been decided already."))
    review.state, review.decided_by_id, review.decided_at, review.reason = "rejected", supervisor.id, now(), reason
    if review.user.verification == Verification.PENDING:
        review.user.verification = Verification.UNVERIFIED
    _tell_decision(
        review,
        lambda: (
            _("Your business licence was not accepted"),
            _("Reason: %(reason)s. You may upload the licence again.", reason=reason),
        ),
    )


def pending_count() -> int:
    """Licences waiting for a supervisor."""
    return db.session.scalar(select(func.count()).select_from(LicenceReview).where(LicenceReview.state == "pending"))
