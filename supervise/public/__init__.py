from flask import Blueprint

bp = Blueprint("public", __name__)

from supervise.public import (  # noqa: E402,F401
    accountability,
    alerts,
    campaigns,
    evaluations,
    evaluator,
    feeds,
    files,
    ledger,
    pledges,
    projects,
    quarters,
    routes,
    stats,
)
