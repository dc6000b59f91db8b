"""The office's side of the responsibility list: the board of all indicators with progress and red
items, the year's list as a spreadsheet, its blank template, and the import that starts a year."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from supervise import web
from supervise.console import bp
from supervise.domain import indicator_board as boards
from supervise.domain import indicator_sheets
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import ResponsibilityList, Role, Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_BYTES = 2 * 1024 * 1024


class ListImportForm(FlaskForm):
    """A spreadsheet of tasks to add to a year's list."""

    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    sheet = FileField(_l("Spreadsheet (.xlsx)"), description=_l("Fill in the template: one task per row."))


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else now().year


@bp.route("/indicators")
@web.roles_required(Role.SUPERVISOR)
def indicator_board():
    """Every indicator with its chief, lead unit, score and target, its year's tasks and progress, and
    the tasks with a red warning."""
    year = _year()
    today = now().date()
    return render_template("console/indicators.html", board=boards.board(year, today), year=year, today=today)


@bp.route("/indicators/<int(min=2000, max=2100):year>.xlsx")
@web.roles_required(Role.SUPERVISOR)
def indicator_export(year: int):
    """The year's list as a spreadsheet (the import's columns, then progress and state)."""
    year_list = db.session.scalars(
        select(ResponsibilityList)
        .where(ResponsibilityList.year == year)
        .options(
            selectinload(ResponsibilityList.tasks).selectinload(Task.indicator),
            selectinload(ResponsibilityList.tasks).selectinload(Task.responsible_unit),
            selectinload(ResponsibilityList.tasks).selectinload(Task.co_units),
            selectinload(ResponsibilityList.tasks).selectinload(Task.children),
            selectinload(ResponsibilityList.tasks).selectinload(Task.parent),
        )
    ).first()
    if year_list is None:
        year_list = ResponsibilityList(year=year)
    return _xlsx(indicator_sheets.export_list(year_list), f"{year}年营商环境责任清单.xlsx")


@bp.route("/indicators/template.xlsx")
@web.roles_required(Role.SUPERVISOR)
def indicator_template():
    """The blank list to fill in, with the names it accepts."""
    return _xlsx(indicator_sheets.template(), "营商环境责任清单模板.xlsx")


def _xlsx(content: bytes, name: str):
    response = send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/indicators/import", methods=["GET", "POST"])
@web.roles_required(Role.SUPERVISOR)
def indicator_import():
    """Upload a spreadsheet: every row checked; all its tasks added, or none and the errors per row."""
    form = ListImportForm(year=_year())
    errors = []
    if form.validate_on_submit():
        upload = form.sheet.data
        if not upload or not upload.filename:
            form.sheet.errors = [_("Choose the spreadsheet to import.")]
        elif _too_big(upload.stream):
            form.sheet.errors = [_("The spreadsheet is larger than 2 MB.")]
        else:
            result = indicator_sheets.import_list(form.year.data, upload.stream)
            if result.errors:
                db.session.rollback()
                errors = result.errors
                flash(_("Nothing was imported: %(n)d rows have errors.", n=len(errors)), "danger")
            else:
                db.session.commit()
                flash(
                    _("%(n)d tasks imported into the %(year)d list.", n=len(result.added), year=form.year.data),
                    "success",
                )
                return redirect(url_for("console.indicator_board", year=form.year.data))
    return render_template("console/indicator_import.html", form=form, errors=errors)


def _too_big(stream) -> bool:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size > MAX_SHEET_BYTES
