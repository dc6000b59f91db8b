from flask import Blueprint

bp = Blueprint("open311", __name__)

from supervise.open311 import routes  # noqa: E402,F401
