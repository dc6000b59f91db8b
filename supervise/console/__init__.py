from flask import Blueprint

bp = Blueprint("console", __name__)

from supervise.console import ledger, reply_templates, rounds, routes, verification  # noqa: E402,F401
