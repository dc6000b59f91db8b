"""An evaluator scores the units through their personal link, without an account.

The link (``/evaluate/<token>``) is checked, remembered in the signed session, and redirected at once
to ``/evaluate``: the token is in no other page's address, so no Referer or later log line carries
it. Each unit gets one vote (CSRF, rate-limited per address); a second one is refused with a clear
message and changes nothing. None of these pages is cached.
"""

from flask import abort, flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from supervise import throttle
from supervise.domain import evaluation as rules
from supervise.extensions import db, limiter
from supervise.models import Evaluator, UnitReport
from supervise.public import bp

SESSION_KEY = "evaluator"


def _private(template: str, status: int = 200, **context):
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem(message, status: int = 410):
    return _private("public/evaluate.html", status, problem=message)


def vote_form(criteria) -> FlaskForm:
    """The vote form: a score (0–100) per criterion, named ``c<criterion id>``, and a comment."""

    class VoteForm(FlaskForm):
        comment = TextAreaField(
            _l("Comment on the unit's work and report"),
            validators=[Optional(), Length(max=rules.TEXT_MAX)],
            description=_l("The unit reads your comment and answers it, without learning who wrote it."),
        )

    for criterion in criteria:
        setattr(
            VoteForm,
            f"c{criterion.id}",
            IntegerField(
                f"{criterion.name} ({criterion.weight}%)",
                description=criterion.description,
                validators=[
                    InputRequired(_l("Score this criterion.")),
                    NumberRange(rules.SCORE_MIN, rules.SCORE_MAX, _l("A score is from 0 to 100.")),
                ],
            ),
        )
    return VoteForm()


def _session_evaluator() -> tuple[Evaluator | None, str | None]:
    """The evaluator whose link this browser opened, or why there is none (the session forgets them)."""
    evaluator = db.session.get(Evaluator, session.get(SESSION_KEY) or 0)
    if evaluator is None:
        return None, _("Open the personal link from your invitation to score the units.")
    problem = rules.why_not_usable(evaluator)
    if problem:
        session.pop(SESSION_KEY, None)
        return None, problem
    return evaluator, None


@bp.route("/evaluate/<token>")
@limiter.limit(throttle.configured("EVALUATION_RATE_LIMIT"))
def evaluator_link(token: str):
    """The personal link: remembered in the session, then away from the address bar."""
    try:
        evaluator = rules.evaluator_for(token)
    except rules.EvaluationError as err:
        session.pop(SESSION_KEY, None)
        return _problem(err.message, 404 if isinstance(err, rules.UnknownLink) else 410)
    session[SESSION_KEY] = evaluator.id
    return redirect(url_for("public.evaluator_home"), 303)


@bp.route("/evaluate")
def evaluator_home():
    """The units to score, their reports and the published criteria."""
    evaluator, problem = _session_evaluator()
    if evaluator is None:
        return _problem(problem, 200)
    evaluation = evaluator.evaluation
    return _private(
        "public/evaluate.html",
        problem=None,
        evaluator=evaluator,
        evaluation=evaluation,
        voted=rules.voted_report_ids(evaluator),
    )


@bp.route("/evaluate/units/<id:report_id>", methods=["GET", "POST"])
@limiter.limit(throttle.configured("EVALUATION_RATE_LIMIT"), methods=["POST"])
def evaluator_vote(report_id: int):
    """Score one unit: once. A second submission (or a double click) is refused, nothing changed."""
    evaluator, problem = _session_evaluator()
    if evaluator is None:
        return _problem(problem, 200)
    report = db.session.get(UnitReport, report_id)
    if report is None or report.evaluation_id != evaluator.evaluation_id:
        abort(404)
    if report.id in rules.voted_report_ids(evaluator):
        flash(_("You have scored %(unit)s already; a vote cannot be changed.", unit=report.unit.name), "warning")
        return redirect(url_for("public.evaluator_home"))
    form = vote_form(evaluator.evaluation.criteria)
    if form.validate_on_submit():
        scores = {c.id: getattr(form, f"c{c.id}").data for c in evaluator.evaluation.criteria}
        try:
            rules.cast_vote(evaluator, report, scores, form.comment.data)
            db.session.commit()
        except rules.EvaluationError as err:
            db.session.rollback()
            flash(err.message, "warning")
            return redirect(url_for("public.evaluator_home"))
        except IntegrityError:  # the same vote, submitted twice at once
            db.session.rollback()
            flash(_("You have scored %(unit)s already; a vote cannot be changed.", unit=report.unit.name), "warning")
            return redirect(url_for("public.evaluator_home"))
        if evaluator.finished_at is not None:
            session.pop(SESSION_KEY, None)
            return _private("public/evaluate.html", problem=None, finished=True, evaluation=evaluator.evaluation)
        flash(_("Your scores for %(unit)s are recorded.", unit=report.unit.name), "success")
        return redirect(url_for("public.evaluator_home"))
    return _private("public/evaluate_vote.html", form=form, report=report, evaluation=evaluator.evaluation)
