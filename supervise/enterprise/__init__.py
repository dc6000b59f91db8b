from flask import Blueprint

bp = Blueprint("enterprise", __name__)

from supervise.enterprise import campaigns, pledges, routes, verification  # noqa: E402,F401
