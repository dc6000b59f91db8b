"""Key projects in the supervision console: the register with its filters, a project's page where
blockers are followed up (a ticket, a supervision order, cleared), and the monthly digest."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise import paging, web
from supervise.console import bp
from supervise.console.routes import _categories, _units
from supervise.domain import workflow
from supervise.domain.clock import now
from supervise.domain.projects import (
    LABELS,
    STAGE_LABELS,
    ProjectError,
    ProjectSpec,
    blockers,
    digest,
    register,
    reports,
)
from supervise.domain.projects.figures import rows_for
from supervise.extensions import db
from supervise.forms_projects import (
    BlockerOrderForm,
    BlockerTicketForm,
    ClearForm,
    ProjectForm,
    RegisterFilterForm,
    options,
)
from supervise.models import Category, Enterprise, Role, Unit, User
from supervise.models.project import Blocker, MonthlyReport
from supervise.project_pages import history, load_project

PAGE_SIZE = 25
MONTH_FORMAT_LENGTH = 7
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter_form() -> RegisterFilterForm:
    form = RegisterFilterForm(request.args)
    form.stage.choices = options([("", _("All stages")), *STAGE_LABELS.items()])
    form.unit.choices = options([("", _("All units"))] + [(str(u.id), u.name) for u in _units()])
    form.industry.choices = options([("", _("All industries"))] + [(i, i) for i in register.industries() if i])
    return form


def _month(value: str | None) -> str:
    """A 'YYYY-MM' month from the query, else the current month."""
    value = (value or "").strip()
    shaped = len(value) == MONTH_FORMAT_LENGTH and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit()
    if shaped and 1 <= int(value[5:]) <= 12:
        return value
    return reports.month_of(now().date())


@bp.route("/projects")
@web.roles_required(Role.SUPERVISOR)
def projects():
    """The register of key projects, filtered, newest first; the digest of the month to download."""
    form = _filter_form()
    form.validate()
    filters = register.Filters(
        stage=form.stage.data if not form.stage.errors else "",
        unit_id=int(form.unit.data) if form.unit.data and not form.unit.errors else None,
        industry=form.industry.data if not form.industry.errors else "",
        late=bool(form.late.data),
    )
    at = now()
    month = _month(form.month.data)
    query = register.register_query(filters, at.date())
    args = {k: v for k, v in request.args.items() if k != paging.PARAM}
    page = paging.keyset_page(query, (register.Project.id,), per_page=PAGE_SIZE, endpoint="console.projects", args=args)
    rows = rows_for(page.items, month, at.date())
    return render_template(
        "projects/register.html", form=form, rows=rows, page=page, month=month, today=at.date(), **LABELS
    )


def _project_form() -> ProjectForm:
    form = ProjectForm()
    form.lead_unit.choices = options([(u.id, u.name) for u in _units()])
    staff = db.session.scalars(
        select(User)
        .where(User.role.in_((Role.HANDLER, Role.LEADER)), User.active.is_(True))
        .options(selectinload(User.unit))
        .order_by(User.unit_id, User.id)
    ).all()
    named = [(u.id, f"{u.name}（{u.unit.name if u.unit else ''}）") for u in staff]
    form.chief_officer.choices = options(
        [(u.id, label) for u, (_id, label) in zip(staff, named, strict=True) if u.role == Role.LEADER]
    )
    form.secretary.choices = options(named)
    form.team.choices = options(named)
    return form


def _spec(form: ProjectForm) -> ProjectSpec:
    """The project the form describes; refuses an unknown enterprise."""
    enterprise = db.session.scalar(
        select(Enterprise).where(Enterprise.credit_code == form.credit_code.data.strip().upper())
    )
    if enterprise is None:
        raise ProjectError(_("No enterprise has this credit code."))
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_([form.chief_officer.data, form.secretary.data, *form.team.data]))
        )
    }
    return ProjectSpec(
        name=form.name.data,
        enterprise=enterprise,
        investment=form.investment.data,
        industry=(form.industry.data or "").strip(),
        lead_unit=db.session.get(Unit, form.lead_unit.data),
        chief_officer=users[form.chief_officer.data],
        secretary=users[form.secretary.data],
        team=[users[i] for i in form.team.data],
        stage=form.stage.data,
        description=(form.description.data or "").strip(),
        public=form.public.data,
        investment_public=form.investment_public.data,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@web.roles_required(Role.SUPERVISOR)
def project_new():
    """Register a key project with its service team and milestones."""
    form = _project_form()
    if form.validate_on_submit():
        try:
            milestones = register.parse_milestones(form.milestones.data)
            project = register.register_project(_spec(form), current_user)
            for name, planned in milestones:
                register.add_milestone(project, name, planned)
        except ProjectError as err:
            db.session.rollback()
            flash(str(err), "danger")
        else:
            db.session.commit()
            flash(_("Key project %(name)s registered.", name=project.name), "success")
            return redirect(url_for("console.project", project_id=project.id))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("projects/new.html", form=form), status


@bp.route("/projects/<id:project_id>")
@web.roles_required(Role.SUPERVISOR)
def project(project_id: int):
    project = load_project(project_id)
    ticket_form = BlockerTicketForm(formdata=None)
    ticket_form.category.choices = options([(c.id, c.full_name) for c in _categories()])
    return render_template(
        "projects/console_project.html",
        project=project,
        reports=history(project),
        today=now().date(),
        ticket_form=ticket_form,
        order_form=BlockerOrderForm(formdata=None),
        clear_form=ClearForm(formdata=None),
        **LABELS,
    )


def _blocker(blocker_id: int) -> Blocker:
    blocker = db.session.scalar(
        select(Blocker)
        .where(Blocker.id == blocker_id)
        .options(selectinload(Blocker.project), selectinload(Blocker.report).selectinload(MonthlyReport.project))
    )
    if blocker is None:
        abort(404)
    return blocker


def _done(blocker: Blocker, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("console.project", project_id=blocker.project_id) + f"#blocker-{blocker.id}")


def _refused(blocker: Blocker, err: Exception):
    db.session.rollback()
    flash(str(err), "danger")
    return redirect(url_for("console.project", project_id=blocker.project_id) + f"#blocker-{blocker.id}")


def _form_refused(blocker: Blocker, form) -> Response:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "danger")
    return redirect(url_for("console.project", project_id=blocker.project_id) + f"#blocker-{blocker.id}")


@bp.route("/projects/blockers/<id:blocker_id>/ticket", methods=["POST"])
@web.roles_required(Role.SUPERVISOR)
def blocker_ticket(blocker_id: int):
    """File the blocker as a ticket, routed like any other."""
    form = BlockerTicketForm()
    form.category.choices = options([(c.id, c.full_name) for c in _categories()])
    blocker = _blocker(blocker_id)
    if not form.validate_on_submit():
        return _form_refused(blocker, form)
    try:
        ticket = blockers.to_ticket(blocker, db.session.get(Category, form.category.data), current_user)
    except (ProjectError, workflow.TransitionError) as err:
        return _refused(blocker, err)
    return _done(blocker, _("The blocker is now ticket %(no)s.", no=ticket.tracking_no))


@bp.route("/projects/blockers/<id:blocker_id>/order", methods=["POST"])
@web.roles_required(Role.SUPERVISOR)
def blocker_order(blocker_id: int):
    """A supervision order on the blocker's ticket."""
    form = BlockerOrderForm()
    blocker = _blocker(blocker_id)
    if not form.validate_on_submit():
        return _form_refused(blocker, form)
    try:
        blockers.issue_order(blocker, form.level.data, form.deadline.data, form.note.data, current_user)
    except (ProjectError, workflow.TransitionError) as err:
        return _refused(blocker, err)
    return _done(blocker, _("Supervision order issued on ticket %(no)s.", no=blocker.ticket.tracking_no))


@bp.route("/projects/blockers/<id:blocker_id>/clear", methods=["POST"])
@web.roles_required(Role.SUPERVISOR)
def blocker_clear(blocker_id: int):
    form = ClearForm()
    blocker = _blocker(blocker_id)
    if not form.validate_on_submit():
        return _form_refused(blocker, form)
    blockers.clear(blocker, current_user)
    return _done(blocker, _("The blocker is marked cleared."))


@bp.route("/projects/digest.<any(docx, xlsx):fmt>")
@web.roles_required(Role.SUPERVISOR)
def projects_digest(fmt: str):
    """The monthly digest (项目进展月报) of ``?month=`` as a Word document or a workbook."""
    month = _month(request.args.get("month"))
    body = digest.docx(month, now()) if fmt == "docx" else digest.xlsx(month, now())
    name = f"key-projects-{month}.{fmt}"
    return Response(
        body,
        mimetype=DOCX if fmt == "docx" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
