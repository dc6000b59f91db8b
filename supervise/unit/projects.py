"""Key projects in the unit workbench: "my projects" for chief service officers, secretaries and
service teams, the lead unit's list, a project's page, and the lead unit's monthly report form."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise import paging, web
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.domain.projects import LABELS, ProjectError, register, reports
from supervise.domain.projects.figures import rows_for
from supervise.extensions import db
from supervise.forms_projects import MilestoneDoneForm, ReportForm
from supervise.models import Role
from supervise.models.project import Milestone, Project
from supervise.project_pages import history, load_project
from supervise.unit import bp

PAGE_SIZE = 25
UNIT_ROLES = (Role.HANDLER, Role.LEADER)


@bp.route("/projects")
@web.roles_required(*UNIT_ROLES)
def projects():
    """The projects the user serves ("mine"), or those their unit leads ("unit"), newest first."""
    tab = "unit" if request.args.get("tab") == "unit" else "mine"
    condition = Project.lead_unit_id == current_user.unit_id if tab == "unit" else register.mine_clause(current_user)
    query = (
        select(Project).where(condition).options(selectinload(Project.lead_unit), selectinload(Project.chief_officer))
    )
    page = paging.keyset_page(query, (Project.id,), per_page=PAGE_SIZE, endpoint="unit.projects", args={"tab": tab})
    at = now()
    rows = rows_for(page.items, reports.month_of(at.date()), at.date())
    month = reports.month_of(at.date())
    return render_template(
        "projects/unit_list.html",
        tab=tab,
        rows=rows,
        page=page,
        month=month,
        today=at.date(),
        due=reports.report_due(load_calendar(), month),
        **LABELS,
    )


@bp.route("/projects/<id:project_id>")
@web.roles_required(*UNIT_ROLES)
def project(project_id: int):
    project = load_project(project_id)
    return render_template(
        "projects/unit_project.html",
        project=project,
        reports=history(project),
        may_report=register.reports_for(current_user, project),
        done_form=MilestoneDoneForm(formdata=None),
        today=now().date(),
        **LABELS,
    )


@bp.route("/projects/<id:project_id>/report", methods=["GET", "POST"])
@web.roles_required(*UNIT_ROLES)
def project_report(project_id: int):
    """This month's report on the project (its lead unit only)."""
    project = load_project(project_id, report=True)
    at = now()
    report = reports.report_for(project, reports.month_of(at.date()))
    form = ReportForm(
        data={"stage": project.stage, "percent": project.percent, "investment_done": project.investment_done}
        if request.method == "GET"
        else None
    )
    if report.submitted_at is None and form.validate_on_submit():
        data = reports.ReportInput(
            progress=form.progress.data,
            percent=form.percent.data,
            investment_done=form.investment_done.data,
            stage=form.stage.data,
            blockers=form.blockers(),
        )
        try:
            reports.submit_report(report, data, current_user, at)
        except ProjectError as err:
            db.session.rollback()
            flash(str(err), "danger")
        else:
            db.session.commit()
            flash(_("The monthly report on %(name)s is submitted.", name=project.name), "success")
            return redirect(url_for("unit.project", project_id=project.id))
    db.session.commit()  # the month's report row, made on first sight
    status = 400 if form.errors else 200
    return render_template("projects/report_form.html", project=project, report=report, form=form), status


@bp.route("/projects/<id:project_id>/milestones/<id:milestone_id>/done", methods=["POST"])
@web.roles_required(*UNIT_ROLES)
def milestone_done(project_id: int, milestone_id: int):
    """The lead unit records the day a milestone was reached."""
    project = load_project(project_id, report=True)
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        abort(404)
    form = MilestoneDoneForm()
    if form.validate_on_submit():
        reports.complete_milestone(milestone, form.done_on.data, current_user)
        db.session.commit()
        flash(_("Milestone “%(name)s” recorded as reached.", name=milestone.name), "success")
    else:
        flash(_("Give the date it was reached."), "danger")
    return redirect(url_for("unit.project", project_id=project.id))
