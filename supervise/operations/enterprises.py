"""Registering companies and keeping the names to mask for them."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from supervise.domain import credit_code
from supervise.domain.intake import IntakeError
from supervise.extensions import db
from supervise.models import Enterprise, Role, User, Verification
from supervise.operations import users

ALIAS_MAX = 100


@dataclass
class NewCompany:
    """A company as a hotline caller, an API client or an applicant describes it."""

    code: str
    name: str
    industry: str = ""
    contact_name: str = ""
    contact_mobile: str = ""
    email: str | None = None


def by_code(code: str) -> Enterprise | None:
    """The enterprise with this credit code (normalized first), if the platform knows it."""
    return db.session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code.normalize(code)))


def find_enterprise(text: str) -> Enterprise | None:
    """The enterprise named by its credit code, or by its exact name when only one has it."""
    text = (text or "").strip()
    if not text:
        return None
    found = by_code(text)
    if found is not None:
        return found
    named = list(db.session.scalars(select(Enterprise).where(Enterprise.name == text).limit(2)))
    return named[0] if len(named) == 1 else None


def register_enterprise(actor: User | None, company: NewCompany) -> Enterprise:
    """The enterprise with ``company``'s credit code, registered now if the platform does not know it
    yet (a hotline caller taken down by staff, an API client). Its contact counts as on record: staff
    or a client took it down. Raises :class:`IntakeError` for an invalid code or no name."""
    code = credit_code.normalize(company.code)
    if not credit_code.is_valid(code):
        raise IntakeError(_l("This is not a valid unified social credit code (check the 18 characters)."))
    existing = by_code(code)
    if existing is not None:
        return existing
    if not (company.name or "").strip():
        raise IntakeError(_l("Give the company's name to register it."))
    enterprise = Enterprise(
        name=company.name.strip()[:120],
        credit_code=code,
        industry=company.industry or "",
        contact_name=(company.contact_name or "").strip()[:40],
        contact_mobile=company.contact_mobile or "",
        email=company.email or None,
        contact_on_record=True,
    )
    db.session.add(enterprise)
    return enterprise


def enterprise_for_intake(actor: User, text: str, new: NewCompany | None) -> Enterprise:
    """The company a staff intake names by ``text`` (credit code or exact name); registered from ``new``
    when the platform does not know it. Raises :class:`IntakeError` when it can be neither found nor
    registered."""
    enterprise = find_enterprise(text)
    if enterprise is None and new is not None:
        enterprise = register_enterprise(actor, new)
    if enterprise is None:
        raise IntakeError(
            _l(
                "No registered company has this name or credit code; type its unified social "
                "credit code, and its name below to register it."
            )
        )
    return enterprise


def register_applicant(
    *,
    code: str,
    company: str,
    industry: str,
    area_id: int | None,
    address: str | None,
    contact_name: str,
    mobile: str,
    email: str | None,
    username: str,
    password: str,
) -> User:
    """A new, unverified account for the company with credit code ``code`` (self-registration).

    A company the platform does not know is registered with the applicant's details; its contact is
    then the applicant's own, not on record, so it can be verified only by a licence. A company it
    knows keeps its details, and the applicant may verify by a code to the contact on record.
    Raises :class:`supervise.operations.users.UsernameTaken`.
    """
    enterprise = by_code(code)
    if enterprise is None:
        enterprise = Enterprise(
            name=company.strip(),
            credit_code=credit_code.normalize(code),
            industry=industry,
            contact_name=contact_name,
            contact_mobile=mobile,
            email=email or None,
            address=address or None,
            area_id=area_id or None,
            contact_on_record=False,
        )
        db.session.add(enterprise)
    user = users.create_user(
        None,
        username=username,
        name=contact_name,
        role=Role.ENTERPRISE,
        enterprise=enterprise,
        mobile=mobile,
        email=email,
        password=password,
    )
    user.verification = Verification.UNVERIFIED
    return user


def set_aliases(actor: User | None, enterprise: Enterprise, text: str) -> None:
    """The names to mask for ``enterprise`` besides its registered name: one a line, trimmed, no
    duplicates. The caller reindexes the company's tickets after commit (masked words leave search)."""
    lines = (line.strip()[:ALIAS_MAX] for line in (text or "").splitlines())
    enterprise.aliases = "\n".join(dict.fromkeys(line for line in lines if line))
