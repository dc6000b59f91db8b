"""Error pages in the user's language, and answers in the client's format when the database is down."""

import logging
from contextlib import suppress

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from supervise import throttle
from supervise.extensions import db, login_manager

log = logging.getLogger(__name__)

#: Errors that mean the database cannot be reached now (down, restarting, refusing connections, every
#: pooled connection busy), not that the request or the code is wrong.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
#: How long a client is asked to wait before trying again while the database is unavailable.
RETRY_AFTER_SECONDS = 30


def refuse_control_characters():
    """Text with a NUL byte cannot be stored (PostgreSQL refuses it): answer 400 before any view runs."""
    is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if request.method in ("POST", "PUT", "PATCH") and is_form and any("\x00" in v for v in request.form.values()):
        detail = _("The form contains a character that cannot be stored (a NUL byte). Remove it and try again.")
        return render_template("errors/error.html", code=400, error=None, detail=detail), 400
    return None


def client_format() -> str:
    """How the client reads answers: ``api`` (the JSON API), ``open311-json`` or ``open311-xml`` (by the
    resource's extension), else ``html``."""
    if request.blueprint == "api":
        return "api"
    if request.blueprint == "open311":
        from supervise.open311.formats import requested_format

        return f"open311-{requested_format()}"
    return "html"


def service_unavailable(error: Exception) -> Response:
    """503 with Retry-After, in the client's format, when the database cannot be reached.

    Nothing here may touch the database again: the session is rolled back (its connection may be
    gone), and the page is rendered as for a visitor, since loading the logged-in user would query.
    The app recovers by itself: the pool checks each connection before use and reconnects.
    """
    log.warning("database unavailable for %s %s: %s", request.method, request.path, error)
    with suppress(SQLAlchemyError):
        db.session.rollback()
    login_manager._update_request_context_with_user()  # an anonymous current_user for the page
    message = _("The service is temporarily unavailable. Nothing was saved; please try again in a few minutes.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    fmt = client_format()
    if fmt == "api":
        from supervise.api.errors import error_response

        return error_response(503, message, headers=headers)
    if fmt.startswith("open311-"):
        from supervise.open311.formats import Open311Error, render_error

        response = render_error(Open311Error(503, message), fmt.removeprefix("open311-"))
    else:
        response = Response(render_template("errors/error.html", code=503, error=error, detail=message), 503)
    response.headers.update(headers)
    return response


def register_error_handlers(app: Flask) -> None:
    app.before_request(refuse_control_characters)
    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, service_unavailable)

    def page(code: int):
        def handler(error):
            if code >= 500:
                db.session.rollback()
            return render_template("errors/error.html", code=code, error=error), code

        return handler

    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, page(code))

    @app.errorhandler(429)
    def too_many_requests(error):
        detail = throttle.wait_message()  # the real wait, from the limit that refused the request
        return render_template("errors/error.html", code=429, error=error, detail=detail), 429

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, error=error, csrf=True), 400
