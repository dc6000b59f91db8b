"""Reply templates, kept by supervisors per category and offered to units in the reply form."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from supervise.console import bp
from supervise.console.forms import ReplyTemplateForm
from supervise.extensions import db
from supervise.models import Category, ReplyTemplate, Role
from supervise.operations import reply_templates
from supervise.web import roles_required


def _form(template: ReplyTemplate | None = None) -> ReplyTemplateForm:
    form = ReplyTemplateForm(obj=template)
    categories = db.session.scalars(select(Category).options(joinedload(Category.parent))).all()
    areas = sorted((c for c in categories if c.parent_id is None), key=lambda c: (c.sort, c.id))
    form.category_id.choices = [SelectChoice(0, _("— choose —"))]
    for area in areas:
        form.category_id.choices.append(SelectChoice(area.id, _("%(area)s (every category)", area=area.name)))
        form.category_id.choices += [
            SelectChoice(c.id, c.name, optgroup=area.name)
            for c in sorted(categories, key=lambda c: (c.sort, c.id))
            if c.parent_id == area.id
        ]
    return form


def _save(form: ReplyTemplateForm, template: ReplyTemplate | None):
    category = db.session.get(Category, form.category_id.data or 0)
    if category is None:
        form.category_id.errors = [_("Choose a category.")]
        return None
    saved = reply_templates.save(template, category, form.title.data, form.body.data, current_user)
    db.session.commit()
    flash(_("The reply template “%(title)s” is saved.", title=saved.title), "success")
    return redirect(url_for(".reply_templates"))


@bp.route("/reply-templates", methods=["GET", "POST"], endpoint="reply_templates")
@roles_required(Role.SUPERVISOR)
def template_list():
    """Every template by category, and the form for a new one."""
    form = _form()
    if form.validate_on_submit() and (done := _save(form, None)):
        return done
    templates = db.session.scalars(
        select(ReplyTemplate)
        .options(joinedload(ReplyTemplate.category))
        .order_by(ReplyTemplate.category_id, ReplyTemplate.title)
    ).all()
    return render_template("console/reply_templates.html", templates=templates, form=form)


@bp.route("/reply-templates/<id:template_id>", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def reply_template(template_id: int):
    template = db.get_or_404(ReplyTemplate, template_id)
    form = _form(template)
    if form.validate_on_submit() and (done := _save(form, template)):
        return done
    return render_template("console/reply_template.html", template=template, form=form)


@bp.route("/reply-templates/<id:template_id>/delete", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def reply_template_delete(template_id: int):
    template = db.get_or_404(ReplyTemplate, template_id)
    if not FlaskForm().validate_on_submit():  # the CSRF token
        abort(400)
    title = template.title
    reply_templates.delete(template)
    db.session.commit()
    flash(_("The reply template “%(title)s” is deleted.", title=title), "success")
    return redirect(url_for(".reply_templates"))
