"""Reference data as files: the empty template, the export, and importing a filled workbook (every row
checked first; a file with errors changes nothing and the page lists them by sheet, row and column)."""

import io

from flask import make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from supervise.admin import bp
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import Role
from supervise.operations import reference
from supervise.web import roles_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(FlaskForm):
    workbook = FileField(
        _l("Workbook"),
        validators=[FileRequired(), FileAllowed(["xlsx"], _l("Upload an XLSX workbook."))],
        description=_l("The template or an export, filled in."),
    )


def _page(form: ImportForm, result: reference.ImportResult | None = None, status: int = 200):
    response = make_response(render_template("admin/reference.html", form=form, result=result), status)
    response.headers["Cache-Control"] = "no-store"  # the new accounts' initial passwords are shown once
    return response


def _download(data: bytes, name: str):
    response = make_response(data)
    response.mimetype = XLSX
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reference")
@roles_required(Role.ADMIN)
def reference_data():
    """The template, the export and the import form."""
    return _page(ImportForm(formdata=None))


@bp.route("/reference/template.xlsx")
@roles_required(Role.ADMIN)
def reference_template():
    return _download(reference.template_workbook(), "reference-template.xlsx")


@bp.route("/reference/export.xlsx")
@roles_required(Role.ADMIN)
def reference_export():
    return _download(reference.export_workbook(), f"reference-{now():%Y%m%d}.xlsx")


@bp.route("/reference/import", methods=["POST"])
@roles_required(Role.ADMIN)
def reference_import():
    """Import the uploaded workbook: all of it, or nothing when any row is wrong."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    result = reference.import_workbook(current_user, io.BytesIO(form.workbook.data.read()))
    if not result.ok:
        db.session.rollback()
        form.workbook.errors.append(_("Nothing was imported: correct the rows below and upload the file again."))
        return _page(form, result, status=400)
    db.session.commit()
    return _page(ImportForm(formdata=None), result)
