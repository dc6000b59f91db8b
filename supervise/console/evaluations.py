"""Unit evaluation in the console: the office creates an evaluation (units, weighted criteria),
invites evaluators (each link shown once, optionally sent by SMS or e-mail), follows the counts of
votes, closes and publishes. The rules are in ``supervise.domain.evaluation``."""

from datetime import date

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import FieldList, Form, FormField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from supervise import web
from supervise.console import bp
from supervise.console.forms import options
from supervise.domain import evaluation as rules
from supervise.domain import evaluation_results
from supervise.extensions import db
from supervise.models import Evaluation, Evaluator, Role, Unit, UnitReport

supervisors = web.roles_required(Role.SUPERVISOR)
STEPS = {
    "open": (rules.open_evaluation, _l("The evaluation is open: evaluators can use their links.")),
    "close": (rules.close_evaluation, _l("The evaluation is closed: the links no longer work; units answer.")),
    "publish": (rules.publish_results, _l("The results, comments and answers are published.")),
}


class CriterionForm(Form):
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=rules.CRITERION_NAME_MAX)])
    weight = IntegerField(_l("Weight (%)"), validators=[Optional(), NumberRange(1, 100)])
    description = StringField(_l("What evaluators judge"), validators=[Optional(), Length(max=500)])


class EvaluationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=rules.NAME_MAX)])
    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(), NumberRange(2000, 2100)],
        description=_l("The units' measured figures of this year are shown beside the scores."),
    )
    units = SelectMultipleField(
        _l("Units evaluated"), coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    criteria = FieldList(FormField(CriterionForm), min_entries=len(rules.DEFAULT_CRITERIA), max_entries=6)


class InviteForm(FlaskForm):
    kind = SelectField(_l("Evaluator"), choices=options(rules.KIND_LABELS))
    name = StringField(
        _l("Evaluator's name"),
        validators=[DataRequired(), Length(max=60)],
        description=_l("Kept for the office only: no unit and no public page shows it."),
    )
    channel = SelectField(
        _l("Send the link"),
        choices=options([("", _l("No, I will pass it on myself")), ("sms", _l("By SMS")), ("email", _l("By e-mail"))]),
        validators=[Optional()],
    )
    address = StringField(_l("Mobile or e-mail"), validators=[Optional(), Length(max=120)])


class StepForm(FlaskForm):
    """Open, close or publish: the button is the whole form."""


def _load(evaluation_id: int) -> Evaluation:
    found = db.session.scalar(
        select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .options(selectinload(Evaluation.criteria), selectinload(Evaluation.reports).selectinload(UnitReport.unit))
    )
    if found is None:
        abort(404)
    return found


@bp.route("/evaluations")
@supervisors
def evaluations():
    """Every evaluation, latest first."""
    found = db.session.scalars(select(Evaluation).order_by(Evaluation.year.desc(), Evaluation.id.desc()).limit(100))
    return render_template("console/evaluations.html", evaluations=list(found), states=rules.STATE_LABELS)


@bp.route("/evaluations/new", methods=["GET", "POST"])
@supervisors
def evaluation_new():
    """Create an evaluation: its name, year, units and criteria."""
    defaults = [{"name": str(n), "weight": w, "description": str(d)} for n, w, d in rules.DEFAULT_CRITERIA]
    form = EvaluationForm(data={"year": date.today().year, "criteria": defaults})
    units = db.session.scalars(select(Unit).where(Unit.handles_tickets).order_by(Unit.sort, Unit.name)).all()
    form.units.choices = options((u.id, u.name) for u in units)
    if form.validate_on_submit():
        chosen = [u for u in units if u.id in set(form.units.data or [])]
        criteria = [
            rules.Criterion(c["name"] or "", c["weight"] or 0, c["description"] or "") for c in form.criteria.data
        ]
        try:
            evaluation = rules.create_evaluation(form.name.data, form.year.data, chosen, criteria, current_user)
            db.session.commit()
        except rules.EvaluationError as err:
            db.session.rollback()
            form.form_errors.append(err.message)
        else:
            flash(_("The evaluation is prepared: invite the evaluators, then open it."), "success")
            return redirect(url_for("console.evaluation", evaluation_id=evaluation.id))
    return render_template("console/evaluation_new.html", form=form)


def _render(evaluation: Evaluation, invite_form: InviteForm | None = None, link: str | None = None, status=200):
    response = make_response(
        render_template(
            "console/evaluation.html",
            evaluation=evaluation,
            states=rules.STATE_LABELS,
            kinds=rules.KIND_LABELS,
            progress=evaluation_results.progress(evaluation),
            votes=evaluation_results.votes_per_report(evaluation),
            results=evaluation_results.results(evaluation) if evaluation.state != "draft" else [],
            measured=evaluation_results.measured_columns(),
            min_votes=evaluation_results.MIN_VOTES_SHOWN,
            invited=db.session.scalars(
                select(Evaluator).where(Evaluator.evaluation_id == evaluation.id).order_by(Evaluator.id)
            ).all(),
            invite_form=invite_form or InviteForm(formdata=None),
            step_form=StepForm(),
            link=link,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"  # a new link is shown once
    return response


@bp.route("/evaluations/<id:evaluation_id>")
@supervisors
def evaluation(evaluation_id: int):
    """One evaluation: criteria, units and their reports, the counts of votes, invitations, results."""
    return _render(_load(evaluation_id))


@bp.route("/evaluations/<id:evaluation_id>/invite", methods=["POST"])
@supervisors
def evaluation_invite(evaluation_id: int):
    """Invite one evaluator; their link is shown on this page once and never again."""
    evaluation = _load(evaluation_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _render(evaluation, form, status=400)
    try:
        evaluator, link = rules.invite(
            evaluation, form.kind.data, form.name.data, current_user, form.channel.data or None, form.address.data
        )
        db.session.commit()
    except rules.EvaluationError as err:
        db.session.rollback()
        form.form_errors.append(err.message)
        return _render(evaluation, form, status=400)
    flash(_("%(name)s is invited. Copy the link now: it is not shown again.", name=evaluator.name), "success")
    return _render(evaluation, link=link)


@bp.route("/evaluations/<id:evaluation_id>/<any(open, close, publish):step>", methods=["POST"])
@supervisors
def evaluation_step(evaluation_id: int, step: str):
    """Open, close or publish the evaluation."""
    evaluation = _load(evaluation_id)
    if StepForm().validate_on_submit():
        move, done = STEPS[step]
        try:
            move(evaluation, current_user)
            db.session.commit()
            flash(str(done), "success")
        except rules.EvaluationError as err:
            db.session.rollback()
            flash(err.message, "danger")
    return redirect(url_for("console.evaluation", evaluation_id=evaluation.id))
