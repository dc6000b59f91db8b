from flask import Blueprint

bp = Blueprint("public", __name__)

from supervise.public import alerts, evaluations, evaluator, feeds, files, ledger, pledges, quarters, routes, stats  # noqa: E402,F401
