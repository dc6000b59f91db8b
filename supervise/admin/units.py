"""Administration of units: the tree, new and edit."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from supervise.admin import bp, trees
from supervise.admin.forms import NONE, UnitForm
from supervise.extensions import db
from supervise.jobs import enqueue, maintenance
from supervise.models import Role, Unit, UnitKind
from supervise.operations import OperationError
from supervise.operations import units as units_ops
from supervise.web import roles_required


@bp.route("/units")
@roles_required(Role.ADMIN)
def units():
    return render_template("admin/units.html", tree=trees.tree(trees.all_units()))


def _unit_form(unit: Unit | None, all_units: list[Unit]) -> UnitForm:
    data = None
    if unit is not None:
        data = {
            "name": unit.name,
            "short_name": unit.short_name or "",
            "kind": unit.kind.value,
            "parent_id": unit.parent_id or NONE,
            "active": unit.active,
            "sort": unit.sort,
        }
    form = UnitForm(data=data)
    form.parent_id.choices = trees.unit_choices(all_units, _("— none (top level) —"))
    if unit is not None:
        form.forbidden_parents = frozenset({unit.id} | trees.descendant_ids(all_units, unit.id))
    return form


def _save_unit(form: UnitForm, unit: Unit) -> bool | None:
    """Save the form onto ``unit``: whether it was renamed; None (with a field error) when refused."""
    details = units_ops.UnitDetails(
        name=form.name.data,
        kind=UnitKind(form.kind.data),
        short_name=form.short_name.data,
        parent_id=form.parent_id.data,
        active=form.active.data,
        sort=form.sort.data,
    )
    try:
        return units_ops.save_unit(current_user, unit, details)
    except OperationError as err:
        form.name.errors.append(str(err.message))
        return None


@bp.route("/units/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def unit_new():
    form = _unit_form(None, trees.all_units())
    if form.validate_on_submit():
        unit = Unit()
        if _save_unit(form, unit) is not None:
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
        renamed = _save_unit(form, unit)
        if renamed is not None:
            db.session.commit()
            if renamed:
                enqueue(maintenance.reindex_unit, unit.id)
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
        db.session.rollback()
    return render_template("admin/unit_form.html", form=form, unit=unit)
