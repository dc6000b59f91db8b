"""Error answers in the client's format: an HTML page in the user's language, the JSON API's error
object under /api/, the GeoReport spec's ``errors`` (JSON or XML, as the URL asks) under /open311/.

:func:`error_format` is the one place that decides which; :func:`error_response` renders any status in
it, so a handler added here (or a refusal before any view runs) answers each client in its own format.

Answers when the database cannot be reached, or a statement ran past the web requests' time limit
(503 with Retry-After), use the same formats.
"""

import logging
from contextlib import suppress

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from psycopg.errors import QueryCanceled
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from supervise import throttle
from supervise.api.errors import API_PATH_PREFIX
from supervise.api.errors import error_response as api_error_response
from supervise.extensions import db, login_manager
from supervise.open311.formats import Open311Error, render_error, requested_format

OPEN311_PATH_PREFIX = "/open311/"

log = logging.getLogger(__name__)

#: Errors that mean the database cannot be reached now (down, restarting, refusing connections, every
#: pooled connection busy), not that the request or the code is wrong.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
#: How long a client is asked to wait before trying again while the database is unavailable.
RETRY_AFTER_SECONDS = 30
#: … and after a statement was cancelled for running too long (the load that slowed it may pass).
RETRY_AFTER_SLOW_SECONDS = 60

HTML, API, OPEN311 = "html", "api", "open311"


def error_format() -> str:
    """How this request's errors are answered: :data:`API` (JSON ``{"error": {...}}``), :data:`OPEN311`
    (the spec's ``errors``, JSON or XML as the URL asks) or :data:`HTML` (a page in the user's language)."""
    if request.path.startswith(API_PATH_PREFIX):
        return API
    if request.path.startswith(OPEN311_PATH_PREFIX):
        return OPEN311
    return HTML


def error_response(code: int, error: Exception | None = None, detail: str | None = None, **page) -> Response:
    """The answer with status ``code`` in the client's format (:func:`error_format`).

    ``detail`` says what was wrong in words for the user; without it, the HTTP error's own description
    (machine clients) or the page's standard text (people). A server error never shows its cause.
    ``page`` goes to the HTML template (e.g. ``csrf=True``).
    """
    if code >= 500:
        with suppress(SQLAlchemyError):  # the connection may be gone (database down)
            db.session.rollback()
    fmt = error_format()
    if fmt == HTML:
        detail = detail or _own_description(error)
        response = render_template("errors/error.html", code=code, error=error, detail=detail, **page)
        return Response(response, status=code)
    message = detail or (getattr(error, "description", None) if code < 500 else None) or _status_text(code)
    if fmt == API:
        return api_error_response(code, message)
    return render_error(Open311Error(code, message), requested_format())


def _own_description(error: Exception | None) -> str | None:
    """What the code said when it refused (``abort(400, description=...)``, in the user's language), not
    the HTTP error's standard English description."""
    description = getattr(error, "description", None)
    return description if description and description != getattr(type(error), "description", None) else None


def _status_text(code: int) -> str:
    if code >= 500:
        return _("An error occurred on our side. Please try again later.")
    return HTTP_STATUS_CODES.get(code, "Error")


def _has_nul(values: MultiDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


def refuse_control_characters():
    """A NUL byte cannot be stored, nor even compared with on PostgreSQL (it refuses the query): answer 400
    before any view runs, whether it came in the address, the query string or a form."""
    if "\x00" in request.path or _has_nul(request.args):
        return error_response(400, detail=_("The address contains a character that is not allowed (a NUL byte)."))
    is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if request.method in ("POST", "PUT", "PATCH") and is_form and _has_nul(request.form):
        detail = _("The form contains a character that cannot be stored (a NUL byte). Remove it and try again.")
        return error_response(400, detail=detail)
    return None


def _cancelled(error: Exception) -> bool:
    """Was ``error`` PostgreSQL cancelling a statement that ran past the web requests' time limit
    (``statement_timeout``, see :mod:`supervise.statement_timeout`)?"""
    return isinstance(getattr(error, "orig", None), QueryCanceled)


def service_unavailable(error: Exception) -> Response:
    """503 with Retry-After, in the client's format, when the database cannot be reached or a statement
    ran past the web requests' time limit.

    Nothing here may touch the database again: the session is rolled back (its connection may be
    gone), and the page is rendered as for a visitor, since loading the logged-in user would query.
    The app recovers by itself: the pool checks each connection before use and reconnects.
    """
    with suppress(SQLAlchemyError):
        db.session.rollback()
    # First of all (before any text is translated: choosing the language looks at the user).
    login_manager._update_request_context_with_user()  # an anonymous current_user for the page
    slow = _cancelled(error)
    if slow:
        log.warning("statement cancelled after the time limit for %s %s: %s", request.method, request.path, error)
        message = _(
            "This page took too long to prepare and was stopped, so that other users are not kept waiting. "
            "Nothing was saved; please try again in a minute, or narrow your search."
        )
    else:
        log.warning("database unavailable for %s %s: %s", request.method, request.path, error)
        message = _("The service is temporarily unavailable. Nothing was saved; please try again in a few minutes.")
    response = error_response(503, error, detail=message, slow=slow)
    response.headers["Retry-After"] = str(RETRY_AFTER_SLOW_SECONDS if slow else RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app: Flask) -> None:
    app.before_request(refuse_control_characters)
    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, service_unavailable)

    def handler(error: HTTPException):
        return error_response(error.code or 500, error)

    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, handler)

    @app.errorhandler(429)
    def too_many_requests(error):
        # The real wait, from the limit that refused the request.
        return error_response(429, error, detail=throttle.wait_message())

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, error, csrf=True)
