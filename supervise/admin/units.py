"""Administration of units: the tree, new and edit."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from supervise.admin import bp, trees
from supervise.admin.forms import NONE, UnitForm
from supervise.extensions import db
from supervise.jobs import enqueue, maintenance
from supervise.models import Role, Unit, UnitKind
from supervise.web import roles_required


@bp.route("/units")
@roles_required(Role.ADMIN)
def units():
    return render_template("admin/units.html", tree=trees.tree(trees.all_units()))


def _unit_form(unit: Unit | None, all_units: list[Unit]) -> UnitForm:
    data = None
    if unit is not None:
        data = {"name": unit.name, "short_name": unit.short_name or "", "kind": unit.kind.value,
                "parent_id": unit.parent_id or NONE, "active": unit.active, "sort": unit.sort}
    form = UnitForm(data=data)
    form.parent_id.choices = trees.unit_choices(all_units, _("— none (top level) —"))
    if unit is not None:
        form.forbidden_parents = frozenset({unit.id} | trees.descendant_ids(all_units, unit.id))
    return form


def _save_unit(form: UnitForm, unit: Unit) -> bool:
    """Copy the form onto ``unit``; False (with a field error) when the name is taken."""
    name = form.name.data.strip()
    taken = select(Unit.id).where(Unit.name == name)
    if unit.id is not None:
        taken = taken.where(Unit.id != unit.id)
    if db.session.scalar(taken) is not None:
        form.name.errors.append(_("Another unit already has this name."))
        return False
    unit.name = name
    unit.short_name = (form.short_name.data or "").strip() or None
    unit.kind = UnitKind(form.kind.data)
    unit.parent_id = form.parent_id.data or None
    unit.active = form.active.data
    unit.sort = form.sort.data
    return True


@bp.route("/units/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def unit_new():
    form = _unit_form(None, trees.all_units())
    if form.validate_on_submit():
        unit = Unit()
        if _save_unit(form, unit):
            db.session.add(unit)
            db.session.commit()
            flash(_("Unit %(name)s created.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=None)


@bp.route("/units/<id:unit_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def unit_edit(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    form = _unit_form(unit, trees.all_units())
    if form.validate_on_submit():
        old_name = unit.name
        if _save_unit(form, unit):
            db.session.commit()
            if unit.name != old_name:
                enqueue(maintenance.reindex_unit, unit.id)
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
        db.session.rollback()
    return render_template("admin/unit_form.html", form=form, unit=unit)
