from flask import Blueprint

bp = Blueprint("console", __name__)

from supervise.console import campaigns, reply_templates, routes, verification  # noqa: E402,F401
