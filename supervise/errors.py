"""Error pages in the user's language."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from supervise import throttle
from supervise.extensions import db


def refuse_control_characters():
    """Text with a NUL byte cannot be stored (PostgreSQL refuses it): answer 400 before any view runs."""
    is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if request.method in ("POST", "PUT", "PATCH") and is_form and any("\x00" in v for v in request.form.values()):
        detail = _("The form contains a character that cannot be stored (a NUL byte). Remove it and try again.")
        return render_template("errors/error.html", code=400, error=None, detail=detail), 400
    return None


def register_error_handlers(app: Flask) -> None:
    app.before_request(refuse_control_characters)

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
