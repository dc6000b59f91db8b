from flask import Blueprint

bp = Blueprint("unit", __name__)

from supervise.unit import evaluations, indicators, ledger, projects, routes  # noqa: E402,F401
