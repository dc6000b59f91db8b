"""监督公开: one page that leads to everything the office publishes beside the complaints."""

from flask import render_template

from supervise.public import bp
from supervise.sections import REGISTERS, has_endpoint
from supervise.web import public_page


@bp.route("/accountability")
@public_page
def accountability():
    """The registers the office publishes, each with what it shows."""
    return render_template("public/accountability.html", registers=[e for e, _n in REGISTERS if has_endpoint(e)])
