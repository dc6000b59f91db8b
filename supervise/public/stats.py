from flask import abort

from supervise.public import bp


@bp.route("/stats")
def stats():
    abort(404)
