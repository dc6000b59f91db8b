"""Error pages in the user's language."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from supervise.extensions import db


def register_error_handlers(app: Flask) -> None:
    def page(code: int):
        def handler(error):
            if code >= 500:
                db.session.rollback()
            return render_template("errors/error.html", code=code, error=error), code

        return handler

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, page(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, error=error, csrf=True), 400
