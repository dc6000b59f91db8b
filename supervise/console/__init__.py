from flask import Blueprint

bp = Blueprint("console", __name__)

from supervise.console import reply_templates, routes, verification  # noqa: E402,F401
from supervise.console import indicators  # noqa: E402,F401
