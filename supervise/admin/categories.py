"""Administration of areas and categories: the tree, new and edit."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise import params
from supervise.admin import bp, trees
from supervise.admin.forms import NONE, CategoryForm, option
from supervise.domain import reference
from supervise.extensions import db
from supervise.jobs import enqueue, maintenance
from supervise.models import Category, LimitClass, Role, Unit, UnitKind
from supervise.web import roles_required


@bp.route("/categories")
@roles_required(Role.ADMIN)
def categories():
    rows = db.session.scalars(
        select(Category).options(selectinload(Category.default_lead_unit), selectinload(Category.co_units))
    ).all()
    return render_template("admin/categories.html", tree=trees.tree(rows))


def _category_form(category: Category | None) -> CategoryForm:
    data = None
    if category is not None:
        data = {
            "name": category.name,
            "parent_id": category.parent_id or NONE,
            "default_lead_unit_id": category.default_lead_unit_id or NONE,
            "co_unit_ids": [u.id for u in category.co_units],
            "limit_class": category.limit_class.value,
            "intake_questions": category.intake_questions or "",
            "description": category.description or "",
            "active": category.active,
            "sort": category.sort,
        }
    elif request.method == "GET" and params.id_arg("parent"):
        data = {"parent_id": params.id_arg("parent")}
    form = CategoryForm(data=data)
    areas = db.session.scalars(
        select(Category).where(Category.parent_id.is_(None)).order_by(Category.sort, Category.name)
    ).all()
    form.parent_id.choices = [option(NONE, _("— none: this is a top-level area —"))] + [
        option(a.id, trees.label(a)) for a in areas if category is None or a.id != category.id
    ]
    units = trees.all_units()
    form.default_lead_unit_id.choices = trees.unit_choices(units, _("— none —"), leads_only=True)
    form.co_unit_ids.choices = trees.unit_choices(units, "")[1:]
    form.area_ids = frozenset(a.id for a in areas)
    form.unit_ids = frozenset(u.id for u in units if u.kind != UnitKind.OFFICE)  # possible lead units
    if category is not None:
        form.editing_id = category.id
        form.has_children = (
            db.session.scalar(select(Category.id).where(Category.parent_id == category.id).limit(1)) is not None
        )
    return form


def _save_category(form: CategoryForm, category: Category) -> None:
    category.name = form.name.data.strip()
    category.parent_id = form.parent_id.data or None
    category.default_lead_unit_id = form.default_lead_unit_id.data or None
    ids = set(form.co_unit_ids.data or [])
    category.co_units = list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)))) if ids else []
    category.limit_class = LimitClass(form.limit_class.data)
    lines = (line.strip() for line in (form.intake_questions.data or "").splitlines())
    category.intake_questions = "\n".join(line for line in lines if line)
    category.description = (form.description.data or "").strip()
    category.active = form.active.data
    category.sort = form.sort.data
    reference.changed()


@bp.route("/categories/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def category_new():
    form = _category_form(None)
    if form.validate_on_submit():
        category = Category()
        _save_category(form, category)
        db.session.add(category)
        db.session.commit()
        flash(_("%(name)s created.", name=category.name), "success")
        return redirect(url_for("admin.categories"))
    return render_template("admin/category_form.html", form=form, category=None)


@bp.route("/categories/<id:category_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def category_edit(category_id: int):
    category = db.get_or_404(Category, category_id)
    form = _category_form(category)
    if form.validate_on_submit():
        old_name = category.name
        _save_category(form, category)
        db.session.commit()
        if category.name != old_name:
            enqueue(maintenance.reindex_category, category.id)
        flash(_("%(name)s saved.", name=category.name), "success")
        return redirect(url_for("admin.categories"))
    return render_template("admin/category_form.html", form=form, category=category)
