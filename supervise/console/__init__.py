from flask import Blueprint

bp = Blueprint("console", __name__)

from supervise.console import indicators, ledger, pledges, reply_templates, rounds, routes, settlement, verification  # noqa: E402,F401
