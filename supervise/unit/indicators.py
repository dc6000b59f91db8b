"""The responsibility list in the unit workbench: the tasks of the indicators a leader chiefs, the
unit's own and co-operating tasks, a task's page with its report history and the monthly report form
(evidence files), and the download of evidence (the one place that serves them)."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import IntegerField, MultipleFileField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from supervise import storage, web
from supervise.domain import indicators
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import Indicator, ResponsibilityList, Role, Task, TaskReport, TaskReportFile
from supervise.unit import bp

STAFF = (Role.HANDLER, Role.LEADER)
SEEN_BY = (Role.HANDLER, Role.LEADER, Role.SUPERVISOR)


class TaskReportForm(FlaskForm):
    """The month's progress report on a task, with evidence."""

    text = TextAreaField(_l("Progress this month"), validators=[DataRequired(), Length(max=4000)])
    percent = IntegerField(
        _l("Progress (%)"),
        validators=[InputRequired(), NumberRange(0, 100)],
        description=_l("100 marks the task done."),
    )
    files = MultipleFileField(_l("Evidence"), description=_l("Up to 5 files: JPEG, PNG, PDF, Word or Excel."))


def task_options():
    """What a task's page shows, loaded with it."""
    return (
        selectinload(Task.indicator).selectinload(Indicator.chief),
        selectinload(Task.indicator).selectinload(Indicator.lead_unit),
        selectinload(Task.responsible_unit),
        selectinload(Task.co_units),
        selectinload(Task.parent),
        selectinload(Task.children),
        selectinload(Task.reports).selectinload(TaskReport.files),
        selectinload(Task.reports).selectinload(TaskReport.submitted_by),
    )


def load_task(task_id: int) -> Task:
    """The task if the current user may see it: 404 when there is none, 403 when it is not theirs."""
    task = db.session.scalars(select(Task).where(Task.id == task_id).options(*task_options())).first()
    if task is None:
        abort(404, description=_("No such task."))
    if not indicators.may_see(current_user, task):
        abort(403, description=_("You may not see this task."))
    return task


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else now().year


@bp.route("/indicators")
@web.roles_required(*STAFF)
def indicator_tasks():
    """The indicators the user chiefs with all their tasks, and the unit's own and co-operating tasks."""
    year = _year()
    in_year = Task.list_id.in_(select(ResponsibilityList.id).where(ResponsibilityList.year == year))
    listed = (
        select(Task)
        .where(in_year, indicators.visible_tasks_clause(current_user))
        .options(
            selectinload(Task.indicator),
            selectinload(Task.responsible_unit),
            selectinload(Task.children),
            selectinload(Task.co_units),
        )
        .order_by(Task.number, Task.id)
    )
    tasks = list(db.session.scalars(listed))
    this_month = select(TaskReport.task_id).where(
        TaskReport.month == indicators.month_key(now()), TaskReport.task_id.in_([t.id for t in tasks])
    )
    chiefed = list(
        db.session.scalars(select(Indicator).where(Indicator.chief_id == current_user.id).order_by(Indicator.sort))
    )
    return render_template(
        "unit/indicators.html",
        year=year,
        chiefed=[(i, [t for t in tasks if t.indicator_id == i.id]) for i in chiefed],
        own=[t for t in tasks if t.responsible_unit_id == current_user.unit_id],
        co=[t for t in tasks if t.responsible_unit_id != current_user.unit_id and current_user.unit in t.co_units],
        today=now().date(),
        reported=set(db.session.scalars(this_month)),
    )


@bp.route("/indicators/tasks/<id:task_id>", methods=["GET", "POST"])
@web.roles_required(*SEEN_BY)
def indicator_task(task_id: int):
    """A task's page (the office's too); its responsible unit reports here (the month's report, with evidence)."""
    task = load_task(task_id)
    form = TaskReportForm() if indicators.may_report(current_user, task) else None
    if form is not None and form.validate_on_submit():
        try:
            uploads = storage.check_uploads(request.files.getlist(form.files.name))
            indicators.submit_report(
                task, current_user, form.text.data, form.percent.data, uploads, now(), load_calendar()
            )
        except storage.UploadError as err:
            form.files.errors = [str(err.message)]
        except indicators.ReportRefused as err:
            form.text.errors = [str(err.message)]
        else:
            db.session.commit()
            flash(_("Progress report submitted."), "success")
            return redirect(url_for("unit.indicator_task", task_id=task.id))
        db.session.rollback()
        task = load_task(task_id)
    elif form is not None and request.method == "GET":
        form.percent.data = task.progress
    elif request.method == "POST":
        abort(403, description=_("Only the responsible unit reports on an open task."))
    return render_template(
        "unit/indicator_task.html", task=task, form=form, today=now().date(), warnings=indicators.warnings_of(task)
    )


@bp.route("/indicators/files/<id:file_id>")
@web.roles_required(*SEEN_BY)
def indicator_file(file_id: int):
    """An evidence file, to the office, the indicator's chief and the task's units only."""
    found = db.session.scalars(
        select(TaskReportFile)
        .where(TaskReportFile.id == file_id)
        .options(selectinload(TaskReportFile.report).selectinload(TaskReport.task).selectinload(Task.co_units))
    ).first()
    if found is None:
        abort(404)
    if not indicators.may_download(current_user, found):
        abort(403)
    stream = storage.open_stored(found.stored_name)
    if stream is None:
        abort(404)
    response = send_file(stream, mimetype=found.content_type, as_attachment=True, download_name=found.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
