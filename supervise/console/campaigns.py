"""Campaigns (专项活动) in the console: open one (targets, visiting units and cadres, questionnaire),
follow it (coverage, problems by class and unit, how they stand), record its forums, download its report."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from supervise.campaign_forms import SIZE_LABELS, STATE_LABELS, CampaignForm, ForumForm
from supervise.console import bp
from supervise.domain import campaigns, reference
from supervise.domain.campaigns import documents
from supervise.domain.campaigns.figures import coverage
from supervise.domain.campaigns.report import campaign_report, percent
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import Area, Campaign, CampaignForum, Category, Enterprise, Role, Ticket, Unit, User
from supervise.models.campaign import SIZES
from supervise.web import roles_required

supervisors = roles_required(Role.SUPERVISOR)
CHOICES_MAX = 200
LATEST = 20


def _load(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id, options=[selectinload(Campaign.units), selectinload(Campaign.cadres)])


@bp.route("/campaigns")
@supervisors
def campaign_list():
    """Every campaign, newest period first."""
    rows = db.session.scalars(
        select(Campaign).order_by(Campaign.year.desc(), Campaign.quarter.desc(), Campaign.id.desc())
    )
    listed = list(rows)
    totals = campaigns.tallies([c.id for c in listed], now())
    return render_template("console/campaigns.html", campaigns=listed, totals=totals, state_labels=STATE_LABELS)


def _setup_form(campaign: Campaign | None) -> CampaignForm:
    form = CampaignForm(obj=campaign)
    form.area_ids.choices = [
        SelectChoice(a.id, a.name) for a in db.session.scalars(select(Area).order_by(Area.sort, Area.id))
    ]
    industries = db.session.scalars(select(Enterprise.industry).distinct().where(Enterprise.industry != ""))
    form.industries.choices = [SelectChoice(i, i) for i in sorted(industries)]
    form.sizes.choices = [SelectChoice(s, SIZE_LABELS[s]) for s in SIZES]
    units = db.session.scalars(select(Unit).where(Unit.handles_tickets).order_by(Unit.sort, Unit.name))
    form.unit_ids.choices = [SelectChoice(u.id, u.name) for u in units]
    cadres = db.session.scalars(select(User).where(User.role == Role.CADRE, User.active).order_by(User.id))
    form.cadre_ids.choices = [SelectChoice(u.id, u.name) for u in cadres]
    if request.method == "GET":
        if campaign is None:
            form.year.data, form.target_all.data = now().year, True
        else:
            form.area_ids.data = campaign.target_area_ids or []
            form.industries.data = campaign.target_industries or []
            form.sizes.data = campaign.target_sizes or []
            form.unit_ids.data = [u.id for u in campaign.units]
            form.cadre_ids.data = [u.id for u in campaign.cadres]
            form.question_text.data = "\n".join(campaign.questions or [])
    return form


def _setup(form: CampaignForm) -> campaigns.Setup:
    units = db.session.scalars(select(Unit).where(Unit.id.in_(form.unit_ids.data or []))).all()
    cadres = db.session.scalars(select(User).where(User.id.in_(form.cadre_ids.data or []))).all()
    return campaigns.Setup(
        name=form.name.data,
        year=form.year.data,
        quarter=form.quarter.data,
        theme=form.theme.data or "",
        description=form.description.data or "",
        target_all=form.target_all.data,
        area_ids=form.area_ids.data or [],
        industries=form.industries.data or [],
        sizes=form.sizes.data or [],
        units=list(units),
        cadres=list(cadres),
        questions=form.question_list(),
    )


def _edit(campaign: Campaign | None):
    form = _setup_form(campaign)
    if form.validate_on_submit():
        try:
            saved = campaigns.save_campaign(campaign, _setup(form), current_user)
        except campaigns.CampaignError as err:
            db.session.rollback()
            form.form_errors.append(err.message)
        else:
            db.session.commit()
            flash(_("The campaign “%(name)s” is saved.", name=saved.name), "success")
            return redirect(url_for(".campaign", campaign_id=saved.id))
    return render_template("console/campaign_form.html", form=form, campaign=campaign)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@supervisors
def campaign_new():
    """Prepare a campaign (a draft until opened)."""
    return _edit(None)


@bp.route("/campaigns/<id:campaign_id>/edit", methods=["GET", "POST"])
@supervisors
def campaign_edit(campaign_id: int):
    return _edit(_load(campaign_id))


@bp.route("/campaigns/<id:campaign_id>/state", methods=["POST"])
@supervisors
def campaign_state(campaign_id: int):
    """Open a draft, or close an open campaign."""
    campaign = _load(campaign_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    change = campaigns.open_campaign if request.form.get("to") == "open" else campaigns.close_campaign
    try:
        change(campaign, current_user)
    except campaigns.CampaignError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("The campaign is now %(state)s.", state=STATE_LABELS[campaign.state]), "success")
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.route("/campaigns/<id:campaign_id>")
@supervisors
def campaign(campaign_id: int):
    """The campaign's page: coverage, problems by class and unit and how they stand, forums, downloads."""
    campaign = _load(campaign_id)
    ref = reference.get()
    forums = db.session.scalars(
        select(CampaignForum).where(CampaignForum.campaign_id == campaign.id).order_by(CampaignForum.held_on.desc())
    )
    latest = db.session.scalars(
        select(Ticket)
        .where(Ticket.campaign_id == campaign.id)
        .options(load_only(Ticket.tracking_no, Ticket.title, Ticket.category_id, Ticket.lead_unit_id, Ticket.state))
        .order_by(Ticket.id.desc())
        .limit(LATEST)
    )
    return render_template(
        "console/campaign.html",
        latest=list(latest),
        campaign=campaign,
        report=campaign_report(campaign, ref, now()),
        cover=coverage(campaign),
        forums=list(forums),
        ref=ref,
        percent=percent,
        state_form=FlaskForm(),
        targets=_targets_text(campaign, ref),
        state_labels=STATE_LABELS,
        size_labels=SIZE_LABELS,
    )


def _targets_text(campaign: Campaign, ref) -> str:
    """Whom the campaign targets, in words: every enterprise, or its areas, industries and sizes."""
    if campaign.target_all:
        return _("Every enterprise")
    sizes = [str(SIZE_LABELS[s]) for s in campaign.target_sizes or [] if s in SIZE_LABELS]
    areas = [ref.area_name(a) for a in campaign.target_area_ids or []]
    return "、".join([*areas, *(campaign.target_industries or []), *sizes])


@bp.route("/campaigns/<id:campaign_id>/forum", methods=["GET", "POST"])
@supervisors
def campaign_forum(campaign_id: int):
    """Type in a forum (座谈会) and the problems raised there."""
    campaign = _load(campaign_id)
    categories = campaigns.concrete_categories()
    form = ForumForm()
    form.offer(categories)
    targets = campaigns.target_choices(campaign, CHOICES_MAX)
    form.enterprise_id.choices = [SelectChoice(0, "—")] + [SelectChoice(e.id, e.name) for e in targets]
    if form.validate_on_submit() and (done := _record_forum(campaign, form, categories, targets)):
        return done
    return render_template("console/campaign_forum.html", campaign=campaign, form=form)


def _record_forum(campaign: Campaign, form: ForumForm, categories: list[Category], targets: list[Enterprise]):
    problems = form.problem_list({c.id: c for c in categories})
    if problems is None:
        return None
    enterprise = next((e for e in targets if e.id == form.enterprise_id.data), None)
    if problems and enterprise is None:
        form.enterprise_id.errors = [_("Choose the enterprise that raised the problems.")]
        return None
    try:
        forum, tickets = campaigns.record_forum(
            campaign,
            current_user,
            form.held_on.data,
            form.place.data,
            form.attendees.data or "",
            form.summary.data or "",
            [(enterprise, p) for p in problems],
        )
    except campaigns.CampaignError as err:
        db.session.rollback()
        form.form_errors.append(err.message)
        return None
    db.session.commit()
    flash(_("The forum is recorded with %(n)d problems filed.", n=len(tickets)), "success")
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.route("/campaigns/<id:campaign_id>/report.<any(docx, xlsx):fmt>")
@supervisors
def campaign_download(campaign_id: int, fmt: str) -> Response:
    """The campaign report as the office edits it (.docx) or as a workbook (XLSX), drafts included."""
    return report_download(_load(campaign_id), fmt)


def report_download(campaign: Campaign, fmt: str) -> Response:
    """The report of ``campaign`` as a .docx or XLSX attachment (the public report serves the same)."""
    body, mimetype = documents.render(campaign_report(campaign, reference.get(), now()), fmt)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=campaign-{campaign.id}.{fmt}"
    return response
