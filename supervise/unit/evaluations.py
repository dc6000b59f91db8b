"""Unit evaluation in the unit workbench: the evaluations the unit is part of; its report (text
and/or a file); once voting is closed, the comments on the unit — never who wrote them — each
answered with its rectification; and the unit's published result."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import FileField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from supervise import storage, web
from supervise.domain import evaluation as rules
from supervise.domain import evaluation_results
from supervise.extensions import db
from supervise.models import Evaluation, Role, UnitReport, Vote
from supervise.models.evaluation import DRAFT, OPEN, PUBLISHED
from supervise.unit import bp

unit_staff = web.roles_required(Role.HANDLER, Role.LEADER)


class ReportForm(FlaskForm):
    text = TextAreaField(_l("Report (履职报告)"), validators=[Optional(), Length(max=rules.REPORT_MAX)])
    file = FileField(_l("Report file"), description=_l("Optional: one PDF, Word or image file."))


class AnswerForm(FlaskForm):
    text = TextAreaField(
        _l("Your answer: what was or will be rectified"), validators=[DataRequired(), Length(max=rules.TEXT_MAX)]
    )


def _load_report(report_id: int) -> UnitReport:
    """The unit's own report of an evaluation: 404 if none, 403 if another unit's."""
    report = db.session.scalar(
        select(UnitReport)
        .where(UnitReport.id == report_id)
        .options(selectinload(UnitReport.evaluation).selectinload(Evaluation.criteria), selectinload(UnitReport.unit))
    )
    if report is None:
        abort(404)
    if not rules.may_act_for(current_user, report):
        abort(403)
    return report


def _load_vote(vote_id: int) -> Vote:
    """A comment on the user's own unit: 404 if none, 403 if on another unit."""
    vote = db.session.get(Vote, vote_id)
    if vote is None:
        abort(404)
    if not rules.may_act_for(current_user, vote.report):
        abort(403)
    return vote


@bp.route("/evaluations")
@unit_staff
def evaluations():
    """The evaluations of the user's unit, latest first."""
    reports = db.session.scalars(
        select(UnitReport)
        .join(Evaluation, Evaluation.id == UnitReport.evaluation_id)
        .where(UnitReport.unit_id == current_user.unit_id)
        .options(selectinload(UnitReport.evaluation))
        .order_by(Evaluation.year.desc(), Evaluation.id.desc())
        .limit(50)
    )
    return render_template("unit/evaluations.html", reports=list(reports), states=rules.STATE_LABELS)


def _result_of(report: UnitReport) -> evaluation_results.UnitResult | None:
    if report.evaluation.state != PUBLISHED:
        return None
    return next(r for r in evaluation_results.results(report.evaluation) if r.report.id == report.id)


@bp.route("/evaluations/<id:report_id>", methods=["GET", "POST"])
@unit_staff
def evaluation(report_id: int):
    """The unit's report in one evaluation, the comments on the unit and its answers."""
    report = _load_report(report_id)
    form = ReportForm(data={"text": report.text})
    if report.evaluation.state in (DRAFT, OPEN) and form.validate_on_submit():
        try:
            upload = storage.check_upload(form.file.data) if form.file.data and form.file.data.filename else None
            rules.submit_report(report, form.text.data, upload, current_user)
            db.session.commit()
        except (storage.UploadError, rules.EvaluationError) as err:
            db.session.rollback()
            form.form_errors.append(err.message)
        else:
            flash(_("The report is submitted."), "success")
            return redirect(url_for("unit.evaluation", report_id=report.id))
    return render_template(
        "unit/evaluation.html",
        report=report,
        evaluation=report.evaluation,
        states=rules.STATE_LABELS,
        form=form,
        comments=evaluation_results.comments_for(report) if report.evaluation.state not in (DRAFT, OPEN) else [],
        answer_form=AnswerForm(formdata=None),
        votes=evaluation_results.votes_per_report(report.evaluation).get(report.id, 0),
        result=_result_of(report),
        measured=evaluation_results.measured_columns(),
    )


@bp.route("/evaluations/comments/<id:vote_id>/answer", methods=["POST"])
@unit_staff
def evaluation_answer(vote_id: int):
    """Answer one comment on the user's unit."""
    vote = _load_vote(vote_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            rules.answer_comment(vote, form.text.data, current_user)
            db.session.commit()
            flash(_("Your answer is saved."), "success")
        except rules.EvaluationError as err:
            db.session.rollback()
            flash(err.message, "danger")
    else:
        flash(_("Write the answer: what was or will be rectified."), "danger")
    return redirect(url_for("unit.evaluation", report_id=vote.report_id) + f"#comment-{vote.id}")
