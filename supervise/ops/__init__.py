from flask import Blueprint

bp = Blueprint("ops", __name__)

from supervise.ops import mailbox, routes  # noqa: E402,F401
