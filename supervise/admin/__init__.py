from flask import Blueprint

bp = Blueprint("admin", __name__)

# One module per admin area; importing them registers their views on ``bp``.
from supervise.admin import (  # noqa: E402,F401
    api_keys,
    calendar,
    categories,
    dashboard,
    indicators,
    peers,
    reference,
    rules,
    units,
    users,
)
