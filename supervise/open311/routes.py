"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/.

Every resource answers in ``.json`` or ``.xml``; errors come in the spec's ``errors`` format with
HTTP 400 (bad request), 403 (missing or invalid API key) or 404 (no such resource). Reading needs no
key and shows public fields only (see :mod:`supervise.open311.resources`); filing a request needs an
API key issued by an administrator.
"""

from datetime import timedelta

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from supervise import throttle
from supervise.domain import deadlines
from supervise.domain.clock import now
from supervise.extensions import db, limiter
from supervise.links import external_url, host_of
from supervise.open311 import bp, filing, keys, resources
from supervise.open311.formats import FORMATS, Open311Error, render, render_error, requested_format
from supervise.params import parse_id
from supervise.times import in_years, parse_datetime

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+08:00"  # when this endpoint's behaviour last changed
MAX_SPAN = timedelta(days=90)  # the spec's default and largest date range
MAX_IDS = 1000


def jurisdiction_id() -> str:
    """Ours: OPEN311_JURISDICTION_ID, else the public site's host name without "www." (as the spec suggests)."""
    configured = current_app.config.get("OPEN311_JURISDICTION_ID")
    if configured:
        return configured
    return host_of(current_app.config["PUBLIC_BASE_URL"]).removeprefix("www.")


@bp.before_request
def _check_request() -> None:
    fmt = (request.view_args or {}).get("fmt")
    if fmt is not None and fmt not in FORMATS:
        raise Open311Error(400, _("Unsupported format %(fmt)s: use json or xml.", fmt=fmt))
    given = (request.values.get("jurisdiction_id") or "").strip()
    if given and given != jurisdiction_id():
        raise Open311Error(
            404,
            _("jurisdiction_id %(id)s was not found; this endpoint serves %(ours)s.", id=given, ours=jurisdiction_id()),
        )


@bp.errorhandler(Open311Error)
def _refused(error: Open311Error):
    db.session.rollback()
    return render_error(error, requested_format())


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    db.session.rollback()
    code = error.code or 500
    description = error.description if code < 500 else _("The service failed; please report this to us.")
    return render_error(Open311Error(code, description), requested_format())


# ---------------------------------------------------------------- discovery and services


@bp.route("/discovery.<fmt>")
def discovery(fmt: str):
    endpoint_url = external_url(".discovery", fmt=fmt).rsplit("/", 1)[0] + "/"
    return render(
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _("The business environment office of %(zone)s", zone=current_app.config.get("ZONE_NAME", "")),
            "key_service": _("API keys for filing requests are issued by the platform's administrators."),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": endpoint_url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
        fmt,
    )


@bp.route("/services.<fmt>")
def services(fmt: str):
    return render("services", [resources.service(c) for c in resources.offered_categories()], fmt)


@bp.route("/services/<service_code>.<fmt>")
def service_definition(service_code: str, fmt: str):
    category = resources.offered_category(service_code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.", code=service_code))
    return render("service_definition", resources.service_definition(category), fmt)


# ---------------------------------------------------------------- requests


@bp.route("/requests.<fmt>", methods=["GET"])
def requests(fmt: str):
    tickets = resources.find_requests(_request_query())
    return render("service_requests", resources.service_requests(tickets, now()), fmt)


def _split(name: str) -> list[str]:
    """A parameter that may be comma delimited and declared several times."""
    return [part.strip() for value in request.args.getlist(name) for part in value.split(",") if part.strip()]


def _date_arg(name: str):
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if not in_years(parsed):  # a 90-day span from it must stay within the calendar
            raise ValueError(value)
        return parsed
    except ValueError:
        raise Open311Error(
            400, _("%(name)s must be a W3C datetime such as 2026-01-01T00:00:00+08:00.", name=name)
        ) from None


def _request_query() -> resources.RequestQuery:
    ids = _split("service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, _("Ask for at most %(n)s service_request_id at once.", n=MAX_IDS))
    codes = _split("service_code")
    category_ids = tuple(parse_id(code) for code in codes)
    if None in category_ids:
        raise Open311Error(400, _("service_code must be codes from the service list."))
    statuses = frozenset(_split("status"))
    if not statuses <= {"open", "closed"}:
        raise Open311Error(400, _("status must be open or closed."))
    start, end = _date_arg("start_date"), _date_arg("end_date")
    if start is None and end is None:
        end = now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_SPAN and not ids:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return resources.RequestQuery(
        start=start, end=end, tracking_nos=tuple(ids), category_ids=category_ids, statuses=statuses
    )


@bp.route("/requests.<fmt>", methods=["POST"])
@limiter.limit(throttle.configured("OPEN311_POST_RATE_LIMIT"), key_func=throttle.open311_key)
def create_request(fmt: str):
    secret = request.values.get("api_key") or request.headers.get("X-Api-Key")
    for attempt in (1, 2):
        key = keys.authenticate(secret)
        if key is None:
            raise Open311Error(403, _("Missing or invalid api_key: ask the platform's administrators for a key."))
        try:
            ticket, created = filing.file_request(key, request.form)
            # Read before the commit expires them: the answer needs no second trip to the database.
            tracking_no, retrieval_code = ticket.tracking_no, ticket.retrieval_code
            db.session.commit()
            break
        except IntegrityError:  # a concurrent first request for the same company or client id: look again
            db.session.rollback()
            if attempt == 2:
                raise
    notice = _(
        "Received as %(no)s (retrieval code %(code)s); look up its progress at %(url)s. It is accepted "
        "or declined within %(days)s working days.",
        no=tracking_no,
        code=retrieval_code,
        url=external_url("public.lookup"),
        days=deadlines.ACCEPT_DAYS,
    )
    body = [{"service_request_id": tracking_no, "service_notice": notice, "account_id": None}]
    return render("service_requests", body, fmt, 201 if created else 200)


@bp.route("/requests/<service_request_id>.<fmt>")
def request_detail(service_request_id: str, fmt: str):
    ticket = resources.find_request(service_request_id)
    if ticket is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.", id=service_request_id))
    return render("service_requests", resources.service_requests([ticket], now()), fmt)


@bp.route("/tokens/<token>.<fmt>")
def token(token: str, fmt: str):
    """Requests are realtime: the token a client may hold is the service_request_id itself."""
    ticket = resources.find_request(token)
    if ticket is None:
        raise Open311Error(404, _("token %(token)s was not found.", token=token))
    return render("service_requests", [{"service_request_id": ticket.tracking_no, "token": token}], fmt)


@bp.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str):
    raise Open311Error(404, _("No such resource: see discovery.xml for this endpoint's resources."))
