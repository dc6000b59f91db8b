"""POST requests: an Open311 service request becomes a complaint like any other channel's.

The complaint is always an enterprise's: the one with the given credit code, registered now when the
platform does not know it yet; a company without a verified account is invited to activate one
through the phone or e-mail given. A client's ``attribute[client_request_id]`` makes a retry file nothing
new (it becomes the ticket's submission key, scoped to the client's API key).
"""

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from supervise.domain import credit_code, intake, mail
from supervise.extensions import db
from supervise.forms_common import MOBILE
from supervise.models import ApiKey, Area, Category, Peer, Source, Ticket
from supervise.open311.formats import Open311Error
from supervise.open311.resources import offered_category, question_code
from supervise.operations import enterprises, filing
from supervise.params import parse_id

DESCRIPTION_MAX = 4000  # the spec's limit
TITLE_LENGTH = 60
ANSWER_MAX = 1000
CLIENT_ID_MAX = 200


def attribute(form: MultiDict, code: str) -> str:
    return (form.get(f"attribute[{code}]") or "").strip()


def title_from(description: str) -> str:
    return " ".join(description.split())[:TITLE_LENGTH]


def contact_name(first: str, last: str) -> str:
    """Chinese names read family name first, with no space; others "first last"."""
    first, last = first.strip(), last.strip()
    if (first + last).isascii():
        return " ".join(p for p in (first, last) if p)[:40]
    return (last + first)[:40]


def file_request(key: ApiKey, form: MultiDict) -> tuple[Ticket, bool]:
    """File the complaint a POST carries; ``(ticket, created)``. Does not commit.

    The company is registered when the platform does not know it, and invited to activate an account
    through the phone or e-mail given. Raises :class:`Open311Error` (404 for an unknown service, 400 for
    anything else missing or wrong).
    """
    category = _category(form)
    description = _description(form)
    code, name = _company(form)
    area_id = _area_id(attribute(form, "area"))
    phone, email = _contact(form)
    client_request_id = _client_request_id(form)
    caller = contact_name(form.get("first_name") or "", form.get("last_name") or "")
    company = enterprises.NewCompany(code, name, contact_name=caller, contact_mobile=phone, email=email)
    try:
        enterprise = enterprises.register_enterprise(None, company)
        complaint = intake.Complaint(
            enterprise=enterprise,
            category=category,
            title=title_from(description),
            description=description,
            area_id=area_id,
            source=Source.API,
            contact_name=company.contact_name,
            contact_mobile=company.contact_mobile,
            contact_email=company.email,
            publish_consent=_publish_consent(form),
            answers=_answers(form, category),
        )
        ticket, created = filing.file_complaint(intake.OPEN311, key, complaint, client_request_id, invite=True)
    except intake.IntakeError as err:
        raise Open311Error(400, err.message) from None
    if created:  # filed by another zone's platform (跨域转办): its key says which
        ticket.origin_peer = db.session.scalar(select(Peer).where(Peer.inbound_key_id == key.id))
    return ticket, created


def _category(form: MultiDict) -> Category:
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = offered_category(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.", code=code))
    return category


def _description(form: MultiDict) -> str:
    description = (form.get("description") or "").strip()
    if not description:
        raise Open311Error(400, _("description was not provided: describe the problem."))
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, _("description is longer than %(n)s characters.", n=DESCRIPTION_MAX))
    return description


def _company(form: MultiDict) -> tuple[str, str]:
    """The credit code and name of the company the request is about."""
    company_code = credit_code.normalize(attribute(form, "credit_code"))
    if not company_code:
        raise Open311Error(
            400, _("attribute[credit_code] was not provided: give the company's unified social credit code.")
        )
    if not credit_code.is_valid(company_code):
        raise Open311Error(
            400, _("attribute[credit_code] is not a valid unified social credit code (check the 18 characters).")
        )
    company_name = attribute(form, "company_name")
    if not company_name:
        raise Open311Error(400, _("attribute[company_name] was not provided: give the company's name."))
    return company_code, company_name


def _contact(form: MultiDict) -> tuple[str, str | None]:
    phone = (form.get("phone") or "").replace(" ", "").replace("-", "")
    if phone and not MOBILE.match(phone):
        raise Open311Error(400, _("phone must be an 11-digit mainland mobile number."))
    try:
        return phone, mail.normalize_email(form.get("email"))
    except mail.InvalidEmail:
        raise Open311Error(400, _("email is not a valid e-mail address.")) from None


def _publish_consent(form: MultiDict) -> bool:
    """A client files for publication unless it says ``attribute[publish_consent]=false`` (a peer platform
    forwarding a complaint whose company refused publication)."""
    return attribute(form, "publish_consent").lower() not in ("false", "0", "no")


def _client_request_id(form: MultiDict) -> str:
    """The client's idempotency key: the same id from the same API key files once."""
    client_request_id = attribute(form, "client_request_id")
    if len(client_request_id) > CLIENT_ID_MAX:
        raise Open311Error(400, _("attribute[client_request_id] is longer than %(n)s characters.", n=CLIENT_ID_MAX))
    return client_request_id


def _answers(form: MultiDict, category: Category) -> dict[str, str] | None:
    answers = {}
    for i, question in enumerate(category.questions):
        value = attribute(form, question_code(i))[:ANSWER_MAX]
        if value:
            answers[question] = value
    return answers or None


def _area_id(value: str) -> int | None:
    if not value:
        return None
    ident = parse_id(value)
    area = db.session.get(Area, ident) if ident else None
    if area is None or not area.active:
        raise Open311Error(400, _("attribute[area] is not one of the areas in the service definition."))
    return area.id
