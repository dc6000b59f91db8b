from flask import Blueprint

bp = Blueprint("admin", __name__)

from supervise.admin import api_keys, routes  # noqa: E402,F401
