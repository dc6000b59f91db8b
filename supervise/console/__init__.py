from flask import Blueprint

bp = Blueprint("console", __name__)

from supervise.console import indicators, pledges, reply_templates, routes, settlement, verification  # noqa: E402,F401
