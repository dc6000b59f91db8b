from flask import Blueprint

bp = Blueprint("public", __name__)

from supervise.public import files, routes  # noqa: E402,F401
