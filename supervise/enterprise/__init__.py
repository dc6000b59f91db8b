from flask import Blueprint

bp = Blueprint("enterprise", __name__)

from supervise.enterprise import campaigns, routes, verification  # noqa: E402,F401
