"""The enterprise portal (/my): a company's staff, and the liaison cadres who act for paired companies."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from supervise import paging, params, storage, web
from supervise.domain import access, attachments, disclosure, intake, timeline, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.domain.clocks import FINAL_STATES, OPEN_STATES
from supervise.domain.replies import sent_reply_files
from supervise.domain.workflow import merging
from supervise.enterprise import bp
from supervise.enterprise.forms import ColleagueForm, ComplaintForm, MaterialForm, MergedRateForm, RateForm
from supervise.extensions import db
from supervise.models import Area, Category, Enterprise, Role, Source, State, Ticket, User
from supervise.operations import filing, users

PAGE_SIZE = 20
STATUS_FILTERS = {"open": OPEN_STATES, "closed": FINAL_STATES}
ANSWER_MAX = 1000

portal_users = web.roles_required(Role.ENTERPRISE, Role.CADRE)


@bp.route("/")
@portal_users
def index():
    """My company's tickets (a cadre's: those of all paired companies), newest first."""
    status = request.args.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    query = (
        select(Ticket)
        .where(access.ticket_scope(current_user))
        .options(selectinload(Ticket.category), selectinload(Ticket.lead_unit), selectinload(Ticket.enterprise))
    )
    if status:
        query = query.where(Ticket.state.in_(STATUS_FILTERS[status]))
    page = paging.keyset_page(
        query, (Ticket.id,), per_page=PAGE_SIZE, endpoint=".index", args={"status": status or None}
    )
    return render_template(
        "enterprise/index.html", tickets=page.items, status=status, page=page, is_cadre=current_user.role == Role.CADRE
    )


# ---------------------------------------------------------------- filing


def _category_groups() -> list[tuple[Category, list[Category]]]:
    """The top-level areas with their active concrete categories, in display order."""
    areas = db.session.scalars(
        select(Category)
        .where(Category.parent_id.is_(None), Category.active)
        .options(selectinload(Category.children))
        .order_by(Category.sort, Category.id)
    )
    groups = []
    for area in areas:
        children = [c for c in area.children if c.active]
        if children:
            groups.append((area, children))
    return groups


def _paired_enterprises() -> list[Enterprise]:
    ids = access.paired_enterprise_ids(current_user)
    if not ids:
        return []
    return list(db.session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)).order_by(Enterprise.name)))


def _prefill_contact(form: ComplaintForm, enterprise: Enterprise | None) -> None:
    if enterprise is not None:
        form.contact_name.data = enterprise.contact_name
        form.contact_mobile.data = enterprise.contact_mobile
        form.contact_email.data = enterprise.email


def _answers(category: Category) -> dict[str, str]:
    """The answers to the chosen category's intake questions; answers to other categories' are dropped."""
    answers = {}
    for i, question in enumerate(category.questions):
        value = (request.form.get(f"answer-{category.id}-{i}") or "").strip()[:ANSWER_MAX]
        if value:
            answers[question] = value
    return answers


@bp.route("/new", methods=["GET", "POST"])
@portal_users
def new():
    """File a complaint: for one's own company, or (a cadre) for a paired one."""
    is_cadre = current_user.role == Role.CADRE
    groups = _category_groups()
    offered = {c.id: c for _area, children in groups for c in children}
    paired = _paired_enterprises() if is_cadre else []

    form = ComplaintForm()
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in offered.values()]
    form.area_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(a.id, a.name)
        for a in db.session.scalars(select(Area).where(Area.active).order_by(Area.sort, Area.id))
    ]
    if is_cadre:
        form.enterprise_id.choices = [SelectChoice("", _("Choose an enterprise"))] + [
            SelectChoice(e.id, e.name) for e in paired
        ]
    else:
        del form.enterprise_id

    if request.method == "GET":
        form.submission_key.data = web.new_submission_key()
        form.category_id.data = params.id_arg("category")
        if is_cadre:
            chosen = params.id_arg("enterprise")
            preset = next((e for e in paired if e.id == chosen), paired[0] if len(paired) == 1 else None)
            if preset is not None:
                form.enterprise_id.data = preset.id
            _prefill_contact(form, preset)
        else:
            _prefill_contact(form, current_user.enterprise)
    else:
        form.validate_on_submit()  # errors stay on the form; _file adds its own and files only when none
        done = _file(form, offered, is_cadre)
        if done is not None:
            return done
    return render_template("enterprise/new.html", form=form, groups=groups, is_cadre=is_cadre, paired=paired)


def _filed_for(form: ComplaintForm, is_cadre: bool) -> Enterprise | None:
    """The company the complaint is for: one's own, or (a cadre) the paired one chosen."""
    if not is_cadre:
        if current_user.enterprise is None:
            abort(403)
        return current_user.enterprise
    enterprise_id = form.enterprise_id.data
    if enterprise_id is None or not access.can_file_for(current_user, enterprise_id):
        form.enterprise_id.errors.append(_("Choose one of the enterprises paired with you."))
    return db.session.get(Enterprise, enterprise_id) if enterprise_id else None


def _complaint(form: ComplaintForm, offered: dict[int, Category], is_cadre: bool) -> intake.Complaint | None:
    """The complaint the form describes; None when ``form`` has (or gets) errors."""
    enterprise = _filed_for(form, is_cadre)
    category = offered.get(form.category_id.data)
    if category is None:
        form.category_id.errors.append(_("Choose a category from the list."))
    if form.errors or enterprise is None or category is None:
        return None
    return intake.Complaint(
        enterprise=enterprise,
        category=category,
        title=form.title.data,
        description=form.description.data,
        area_id=form.area_id.data or None,
        source=Source.VISIT if is_cadre else Source.ONLINE,
        contact_name=(form.contact_name.data or "").strip(),
        contact_mobile=form.contact_mobile.data or "",
        contact_email=(form.contact_email.data or "").strip() or None,
        publish_consent=form.publish_consent.data,
        answers=_answers(category),
    )


def _uploads(form: ComplaintForm) -> list[storage.CheckedUpload]:
    try:
        return storage.check_uploads(request.files.getlist("files"))
    except storage.UploadError as err:
        form.files.errors.append(err.message)
        return []


def _file(form: ComplaintForm, offered: dict[int, Category], is_cadre: bool) -> Response | None:
    """File the complaint and redirect to it; None when ``form`` has (or gets) errors, with nothing created."""
    uploads = _uploads(form)
    complaint = _complaint(form, offered, is_cadre)
    if complaint is None:
        return None
    try:
        # A cadre's company may have no account yet: it is invited through the contact the cadre took down.
        ticket, created = filing.file_complaint(
            intake.WEB, current_user, complaint, form.submission_key.data, uploads=uploads, invite=is_cadre
        )
    except intake.IntakeError as err:
        db.session.rollback()
        form.form_errors.append(err.message)
        return None
    if created:
        db.session.commit()
        flash(
            _(
                "Your complaint has been filed. Tracking number: %(no)s. Retrieval code: %(code)s. "
                "Keep both to look up its progress without logging in.",
                no=ticket.tracking_no,
                code=ticket.retrieval_code,
            ),
            "success",
        )
    else:
        flash(_("This complaint was already filed as %(no)s.", no=ticket.tracking_no), "info")
    return redirect(url_for(".ticket", ticket_id=ticket.id))


# ---------------------------------------------------------------- one ticket


def _rating_form(ticket: Ticket) -> type[RateForm]:
    """A complaint merged into another rates the reply to that one (``rate_merged``), others their own."""
    return MergedRateForm if ticket.state == State.MERGED else RateForm


def _may_rate(ticket: Ticket) -> bool:
    if ticket.state == State.MERGED:
        return workflow.allowed(current_user, ticket, "rate_merged") and merging.rating_open(ticket, now())
    return workflow.allowed(current_user, ticket, "rate")


def _render_ticket(ticket: Ticket, material_form: MaterialForm | None = None, rate_form: RateForm | None = None):
    events = [e for e in ticket.events if timeline.visible_to_enterprise(e)]
    material_request = next((e for e in reversed(ticket.events) if e.action == "request_material"), None)
    return render_template(
        "enterprise/ticket.html",
        ticket=ticket,
        events=events,
        attachments=[a for a in ticket.attachments if attachments.may_download(current_user, a)],
        material_request=material_request,
        material_form=material_form or MaterialForm(formdata=None),
        rate_form=rate_form or _rating_form(ticket)(formdata=None),
        may_rate=_may_rate(ticket),
        into=merging.surviving(ticket),
        merged_reply=next((e for e in reversed(ticket.events) if e.action == merging.MERGED_REPLY), None),
    )


@bp.route("/tickets/<id:ticket_id>")
@portal_users
def ticket(ticket_id: int):
    """One of my company's tickets: facts, timeline as the enterprise sees it, and what I can do now."""
    return _render_ticket(web.load_ticket(ticket_id))


@bp.route("/tickets/<id:ticket_id>/material", methods=["POST"])
@portal_users
def material(ticket_id: int):
    """Add the material the unit asked for; the handling clock resumes."""
    ticket = web.load_ticket(ticket_id)
    back = url_for(".ticket", ticket_id=ticket.id)
    if not workflow.allowed(current_user, ticket, "provide_material"):
        flash(_("This ticket is not waiting for material."), "danger")
        return redirect(back)
    form = MaterialForm()
    if not form.validate_on_submit():
        return _render_ticket(ticket, material_form=form)
    try:
        uploads = storage.check_uploads(request.files.getlist("files"))
    except storage.UploadError as err:
        form.files.errors.append(err.message)
        return _render_ticket(ticket, material_form=form)
    return web.act(
        ticket,
        "provide_material",
        back,
        success=_("Thank you: the material was added."),
        uploads=uploads,
        **form.payload(),
    )


@bp.route("/tickets/<id:ticket_id>/rate", methods=["POST"])
@portal_users
def rate(ticket_id: int):
    """Rate the result; a bad rating goes to the supervisor for review."""
    ticket = web.load_ticket(ticket_id)
    back = url_for(".ticket", ticket_id=ticket.id)
    if not _may_rate(ticket):
        flash(_("This ticket is not waiting for a rating."), "danger")
        return redirect(back)
    form = _rating_form(ticket)()
    if not form.validate_on_submit():
        return _render_ticket(ticket, rate_form=form)
    return web.act(ticket, form.action, back, success=_("Thank you for your rating."), **form.payload())


@bp.route("/tickets/<id:ticket_id>/followed")
@portal_users
def followed(ticket_id: int):
    """The ticket my complaint was merged into, as I may follow it: its public view, masked (it may be
    another company's), with its reply and the reply's documents."""
    ticket = web.load_ticket(ticket_id)
    view = disclosure.followed_view(ticket, load_calendar(), now())
    if view is None:  # not merged: it is handled on its own page
        return render_template("enterprise/followed.html", ticket=ticket, item=None, files=[])
    survivor = merging.surviving(ticket)
    files = [
        (a.id, attachments.masked_name(a))
        for a in sent_reply_files(survivor)
        if attachments.may_download(current_user, a)
    ]
    return render_template("enterprise/followed.html", ticket=ticket, item=view, files=files)


# ---------------------------------------------------------------- colleagues


@bp.route("/colleagues", methods=["GET", "POST"])
@web.roles_required(Role.ENTERPRISE)
def colleagues():
    """The company's users; any of them may add a colleague."""
    enterprise_id = current_user.enterprise_id
    if enterprise_id is None:
        abort(403)
    if not current_user.is_verified:
        flash(_("Only a verified account can add colleagues: verify yours first."), "info")
        return redirect(url_for(".verification"))
    form = ColleagueForm()
    if form.validate_on_submit():
        try:
            user = users.add_colleague(
                current_user,
                username=form.username.data,
                name=form.name.data,
                mobile=form.mobile.data,
                password=form.password.data,
            )
            db.session.commit()
        except (users.UsernameTaken, IntegrityError):  # the second of two racing requests: IntegrityError
            db.session.rollback()
            form.username.errors.append(_("This username is taken."))
        else:
            flash(_("%(name)s can now log in as %(username)s.", name=user.name, username=user.username), "success")
            return redirect(url_for(".colleagues"))
    accounts = db.session.scalars(
        select(User).where(User.enterprise_id == enterprise_id, User.role == Role.ENTERPRISE).order_by(User.id)
    )
    return render_template("enterprise/colleagues.html", form=form, users=list(accounts))
