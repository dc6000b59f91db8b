from flask import Blueprint

bp = Blueprint("unit", __name__)

from supervise.unit import routes  # noqa: E402,F401
from supervise.unit import indicators  # noqa: E402,F401
