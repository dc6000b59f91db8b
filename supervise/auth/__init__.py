from flask import Blueprint

bp = Blueprint("auth", __name__)

from supervise.auth import activation, routes, tokens  # noqa: E402,F401
