from flask import Blueprint

bp = Blueprint("console", __name__)

from supervise.console import projects, reply_templates, routes, verification  # noqa: E402,F401
