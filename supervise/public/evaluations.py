"""Published unit evaluations: the criteria, each unit's combined score beside its measured figures,
the ranking, and the comments (masked) with the units' answers; and the units' report files."""

from flask import abort, render_template, send_file, session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise import storage
from supervise.domain import evaluation as rules
from supervise.domain import evaluation_results
from supervise.extensions import db
from supervise.models import Evaluation, Evaluator, Role, UnitReport
from supervise.models.evaluation import OPEN, PUBLISHED
from supervise.public import bp

LIST_LIMIT = 50


@bp.route("/evaluations")
def evaluations():
    """The published evaluations, latest first."""
    found = db.session.scalars(
        select(Evaluation)
        .where(Evaluation.state == PUBLISHED)
        .order_by(Evaluation.year.desc(), Evaluation.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return render_template("public/evaluations.html", evaluations=found)


@bp.route("/evaluations/<id:evaluation_id>")
def evaluation(evaluation_id: int):
    """One published evaluation's results; 404 until it is published."""
    found = db.session.scalar(
        select(Evaluation)
        .where(Evaluation.id == evaluation_id, Evaluation.state == PUBLISHED)
        .options(selectinload(Evaluation.criteria), selectinload(Evaluation.reports).selectinload(UnitReport.unit))
    )
    if found is None:
        abort(404)
    return render_template(
        "public/evaluation.html",
        evaluation=found,
        results=evaluation_results.results(found),
        comments=evaluation_results.public_comments(found),
        measured=evaluation_results.measured_columns(),
        min_votes=evaluation_results.MIN_VOTES_SHOWN,
    )


def _may_read_report(report: UnitReport) -> bool:
    if report.evaluation.state == PUBLISHED:
        return True
    if current_user.is_authenticated and (
        current_user.role == Role.SUPERVISOR or rules.may_act_for(current_user, report)
    ):
        return True
    evaluator = db.session.get(Evaluator, session.get("evaluator") or 0)
    return bool(evaluator and evaluator.evaluation_id == report.evaluation_id and report.evaluation.state == OPEN)


@bp.route("/evaluations/reports/<id:report_id>/file")
def evaluation_report_file(report_id: int):
    """A unit's report file: to the public once published; before, to the office, the unit and the
    evaluation's evaluators."""
    report = db.session.get(UnitReport, report_id)
    if report is None or report.stored_name is None or not _may_read_report(report):
        abort(404)
    stream = storage.open_stored(report.stored_name)
    if stream is None:
        abort(404)
    response = send_file(stream, mimetype=report.content_type, as_attachment=True, download_name=report.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if report.evaluation.state != PUBLISHED:
        response.headers["Cache-Control"] = "private, no-store"
    return response
