from flask import Blueprint

bp = Blueprint("console", __name__)

from supervise.console import (  # noqa: E402,F401
    evaluations,
    indicators,
    ledger,
    pledges,
    reply_templates,
    rounds,
    routes,
    settlement,
    verification,
)
