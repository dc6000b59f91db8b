"""Campaigns in the portal: a visitor (cadre, or staff of a visiting unit) records visits to the
campaign's targets with the problems raised; a targeted enterprise answers the open questionnaire."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from supervise import web
from supervise.campaign_forms import QuestionnaireForm, VisitForm
from supervise.domain import campaigns
from supervise.domain.clock import now
from supervise.enterprise import bp
from supervise.extensions import db
from supervise.models import Campaign, CampaignAnswer, CampaignVisit, Enterprise, Role

visitors = web.roles_required(Role.CADRE, Role.HANDLER, Role.LEADER)
MY_VISITS_MAX = 50


@bp.app_template_global()
def campaign_invitations() -> list[Campaign]:
    """The open campaigns asking the logged-in enterprise user's company, not yet answered (the portal's
    home page shows them)."""
    if not current_user.is_authenticated or current_user.role != Role.ENTERPRISE or not current_user.enterprise_id:
        return []
    answered = select(CampaignAnswer.campaign_id).where(CampaignAnswer.enterprise_id == current_user.enterprise_id)
    done = set(db.session.scalars(answered))
    return [c for c in campaigns.enterprise_campaigns(current_user.enterprise_id) if c.id not in done and c.questions]


@bp.route("/campaign-visits")
@visitors
def campaign_visits():
    """The open campaigns I visit for, and my visits (newest first)."""
    mine = db.session.scalars(
        select(CampaignVisit)
        .where(CampaignVisit.visitor_id == current_user.id)
        .options(selectinload(CampaignVisit.enterprise), selectinload(CampaignVisit.campaign))
        .order_by(CampaignVisit.id.desc())
        .limit(MY_VISITS_MAX)
    )
    return render_template(
        "enterprise/campaign_visits.html", campaigns=campaigns.visitor_campaigns(current_user), visits=list(mine)
    )


def _visitable(campaign_id: int) -> Campaign:
    """The campaign, if the current user visits for it (404 when it does not exist or is not theirs)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not campaigns.may_visit(current_user, campaign):
        abort(404)
    return campaign


@bp.route("/campaigns/<id:campaign_id>/visit", methods=["GET", "POST"])
@visitors
def campaign_visit(campaign_id: int):
    """Record a visit to one of the campaign's targets: whom I met, and each problem raised (or none)."""
    campaign = _visitable(campaign_id)
    categories = campaigns.concrete_categories()
    form = VisitForm()
    form.offer(categories)
    targets = campaigns.target_choices(campaign)
    form.enterprise_id.choices = [SelectChoice(0, _("Choose an enterprise"))] + [
        SelectChoice(e.id, e.name) for e in targets
    ]
    if request.method == "GET":
        form.visited_on.data = now().date()
    elif form.validate_on_submit() and (done := _record(campaign, form, categories)):
        return done
    return render_template("enterprise/campaign_visit.html", campaign=campaign, form=form)


def _record(campaign: Campaign, form: VisitForm, categories):
    problems = form.problem_list({c.id: c for c in categories})
    if problems is None:
        return None
    if not problems and not form.no_problem.data:
        form.no_problem.errors = [_("Describe the problems raised, or tick “No problem raised”.")]
        return None
    if problems and form.no_problem.data:
        form.no_problem.errors = [_("You ticked “No problem raised” but described problems.")]
        return None
    enterprise = db.session.get(Enterprise, form.enterprise_id.data or 0)
    if enterprise is None:
        form.enterprise_id.errors = [_("Choose an enterprise.")]
        return None
    try:
        _visit, tickets = campaigns.record_visit(
            campaign, current_user, enterprise, form.visited_on.data, form.people_met.data, problems
        )
    except campaigns.CampaignError as err:
        db.session.rollback()
        form.form_errors.append(err.message)
        return None
    db.session.commit()
    numbers = "、".join(t.tracking_no for t in tickets)
    if tickets:
        flash(_("The visit is recorded; problems filed as %(numbers)s.", numbers=numbers), "success")
    else:
        flash(_("The visit is recorded: no problem raised."), "success")
    return redirect(url_for(".campaign_visits"))


@bp.route("/campaigns/<id:campaign_id>/questionnaire", methods=["GET", "POST"])
@web.roles_required(Role.ENTERPRISE)
def campaign_questionnaire(campaign_id: int):
    """The campaign's questionnaire, for a targeted company, answered online once; the problems written
    become the company's own tickets."""
    campaign = db.session.get(Campaign, campaign_id)
    enterprise_id = current_user.enterprise_id
    if campaign is None or enterprise_id is None or campaign not in campaigns.enterprise_campaigns(enterprise_id):
        abort(404)
    categories = campaigns.concrete_categories()
    form = QuestionnaireForm()
    form.offer(categories)
    answers = {q: (request.form.get(f"answer-{i}") or "") for i, q in enumerate(campaign.questions or [])}
    if form.validate_on_submit() and (problems := form.problem_list({c.id: c for c in categories})) is not None:
        try:
            _answer, tickets = campaigns.answer_questionnaire(campaign, current_user, answers, problems)
        except campaigns.CampaignError as err:
            db.session.rollback()
            form.form_errors.append(err.message)
        else:
            db.session.commit()
            flash(_("Thank you: your answers are recorded (%(n)d problems filed).", n=len(tickets)), "success")
            return redirect(url_for(".index"))
    return render_template(
        "enterprise/campaign_questionnaire.html", campaign=campaign, form=form, answers=answers, today=date.today()
    )
