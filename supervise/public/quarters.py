"""The settled quarters in public (一季一结账): each quarter's ranking with its definitions, and a unit's
history across quarters. Units only: no enterprise appears in a settlement's public part."""

from flask import abort, render_template
from sqlalchemy import select

from supervise.domain import settlement
from supervise.domain.measures.periods import Period, parse_period
from supervise.domain.settlement import notice
from supervise.extensions import db
from supervise.models import Unit
from supervise.public import bp
from supervise.web import public_page


@bp.route("/quarters")
@public_page
def quarters():
    """Every settled quarter, newest first, with its best unit."""
    settled = db.session.scalars(
        select(settlement.Settlement).order_by(settlement.Settlement.year.desc(), settlement.Settlement.quarter.desc())
    ).all()
    rows = [(Period("quarter", s.year, s.quarter), s) for s in settled]
    return render_template("public/quarters.html", rows=rows, best_and_worst=notice.best_and_worst)


@bp.route("/quarters/<value>")
@public_page
def quarter(value: str):
    """A settled quarter's ranking, the figures and weights it was scored with, and its adjustments' effect."""
    period = parse_period(value)
    done = settlement.settlement_of(period) if period is not None and period.kind == "quarter" else None
    if done is None:
        abort(404)
    return render_template("public/quarter.html", period=period, settled=done, notice=notice)


@bp.route("/units/<id:unit_id>/quarters")
@public_page
def unit_quarters(unit_id: int):
    """A unit's score and rank in every settled quarter."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not unit.handles_tickets:
        abort(404)
    rows = [(Period("quarter", s.year, s.quarter), card, ranked) for s, card, ranked in settlement.history(unit_id)]
    return render_template("public/unit_quarters.html", unit=unit, rows=rows)
