from flask import Blueprint

bp = Blueprint("public", __name__)

from supervise.public import alerts, campaigns, feeds, files, routes, stats  # noqa: E402,F401
