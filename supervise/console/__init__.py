from flask import Blueprint

bp = Blueprint("console", __name__)

from supervise.console import (  # noqa: E402,F401
    campaigns,
    evaluations,
    indicators,
    ledger,
    pledges,
    projects,
    reply_templates,
    rounds,
    routes,
    settlement,
    verification,
)
