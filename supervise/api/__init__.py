from flask import Blueprint

bp = Blueprint("api", __name__)

from supervise.api import routes  # noqa: E402,F401
