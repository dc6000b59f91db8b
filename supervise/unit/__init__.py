from flask import Blueprint

bp = Blueprint("unit", __name__)

from supervise.unit import evaluations, indicators, ledger, routes  # noqa: E402,F401
