"""Closed-loop supervision rounds (闭环督导) in the console: the rounds, a new round, and one round's page
— the checklist scoring grid per unit, its findings (ledger items) and its verification of the previous
round's findings. The rules are in ``supervise.domain.rounds``."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from supervise import web
from supervise.console import bp
from supervise.console.ledger import unit_choices
from supervise.console.ledger_forms import FindingForm, RoundForm, ScoresForm, VerifyForm
from supervise.domain import ledger, rounds
from supervise.domain.ledger import LedgerError
from supervise.extensions import db
from supervise.models import LedgerItem, Role, SupervisionRound, Unit
from supervise.params import parse_int

supervisors = web.roles_required(Role.SUPERVISOR)
RECENT_ROUNDS = 50


@bp.route("/rounds", methods=["GET", "POST"])
@supervisors
def supervision_rounds():
    """The latest rounds, and the form that starts a new one (it verifies the previous round's findings)."""
    form = RoundForm()
    form.unit_ids.choices = unit_choices()
    if form.validate_on_submit():
        units = list(db.session.scalars(select(Unit).where(Unit.id.in_(form.unit_ids.data))))
        try:
            found = rounds.create_round(
                current_user, form.name.data, form.period_start.data, form.period_end.data, units
            )
        except LedgerError as err:
            db.session.rollback()
            form.name.errors.append(err.message)
        else:
            db.session.commit()
            flash(_("The round is open: score the units and record what it finds."), "success")
            return redirect(url_for(".supervision_round", round_id=found.id))
    listed = db.session.scalars(
        select(SupervisionRound)
        .options(selectinload(SupervisionRound.units))
        .order_by(SupervisionRound.id.desc())
        .limit(RECENT_ROUNDS)
    )
    status = 400 if form.is_submitted() else 200
    return render_template("console/rounds.html", rounds=list(listed), form=form), status


def load_round(round_id: int) -> SupervisionRound:
    found = db.session.scalar(
        select(SupervisionRound)
        .where(SupervisionRound.id == round_id)
        .options(selectinload(SupervisionRound.units), selectinload(SupervisionRound.scores))
    )
    if found is None:
        abort(404)
    return found


def _render_round(round_: SupervisionRound, status: int = 200, finding: FindingForm | None = None):
    finding = finding or FindingForm(formdata=None)
    finding.unit_id.choices = [SelectChoice(u.id, u.name) for u in round_.units]
    return render_template(
        "console/round.html",
        round=round_,
        checklist=rounds.CHECKLIST,
        grid=rounds.grid(round_),
        totals=rounds.totals(round_),
        findings=rounds.findings(round_),
        to_verify=rounds.to_verify(round_),
        scores_form=ScoresForm(formdata=None),
        finding_form=finding,
        verify_form=VerifyForm(formdata=None),
        ledger=ledger,
    ), status


@bp.route("/rounds/<id:round_id>")
@supervisors
def supervision_round(round_id: int):
    """One round: the scoring grid, the findings and the verification of the previous round's."""
    return _render_round(load_round(round_id))


@bp.route("/rounds/<id:round_id>/scores", methods=["POST"])
@supervisors
def round_scores(round_id: int):
    """Save the scoring grid: every cell filled in (0–100); an empty cell is left as it was."""
    round_ = load_round(round_id)
    if not ScoresForm().validate_on_submit():
        abort(400)
    try:
        for unit in round_.units:
            for item in rounds.CHECKLIST:
                raw = (request.form.get(f"score-{unit.id}-{item}") or "").strip()
                if not raw:
                    continue
                value = parse_int(raw, 0, rounds.MAX_SCORE)
                if value is None:
                    raise LedgerError(_("A score is from 0 to 100."))
                rounds.score(current_user, round_, unit, item, value)
    except LedgerError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return redirect(url_for(".supervision_round", round_id=round_id, _anchor="scores"))
    db.session.commit()
    flash(_("Scores saved."), "success")
    return redirect(url_for(".supervision_round", round_id=round_id, _anchor="scores"))


@bp.route("/rounds/<id:round_id>/findings", methods=["POST"])
@supervisors
def round_finding(round_id: int):
    """A problem the round found: a ledger item for the unit, linked to the round."""
    round_ = load_round(round_id)
    form = FindingForm()
    form.unit_id.choices = [SelectChoice(u.id, u.name) for u in round_.units]
    if not form.validate_on_submit():
        return _render_round(round_, 400, form)
    try:
        unit = db.get_or_404(Unit, form.unit_id.data)
        rounds.add_finding(current_user, round_, unit, form.title.data, form.deadline.data, form.description.data)
    except LedgerError as err:
        db.session.rollback()
        form.title.errors.append(err.message)
        return _render_round(round_, 400, form)
    db.session.commit()
    flash(_("The finding is in the ledger; the unit sees it."), "success")
    return redirect(url_for(".supervision_round", round_id=round_id, _anchor="findings"))


@bp.route("/rounds/<id:round_id>/verify/<id:ledger_item_id>", methods=["POST"])
@supervisors
def round_verify(round_id: int, ledger_item_id: int):
    """This round's verdict on an item the previous round found: confirmed, or reopened."""
    round_ = load_round(round_id)
    item = db.get_or_404(LedgerItem, ledger_item_id)
    form = VerifyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rounds.verify(current_user, round_, item, form.result.data == "confirmed", form.note.data)
    except LedgerError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("Verification recorded."), "success")
    return redirect(url_for(".supervision_round", round_id=round_id, _anchor="verification"))
