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
from supervise.domain.projects import LABELS, STAGE_LABELS, ProjectError, blockers, digest, register, reports
from supervise.domain.projects.figures import rows_for
from supervise.extensions import db
from supervise.forms_projects import BlockerOrderForm, BlockerTicketForm, ClearForm, RegisterFilterForm, options
from supervise.models import Category, Role
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
