"""Administration of routing rules: the active ones, the retired ones by pages, add and retire."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from supervise import paging, params
from supervise.admin import bp, trees
from supervise.admin.forms import NONE, RuleForm, option
from supervise.domain import routing
from supervise.extensions import db
from supervise.models import Area, Category, Role, RoutingRule, Unit, User
from supervise.web import roles_required

PAGE_SIZE = 50


def _rule_options():
    return (
        selectinload(RoutingRule.category).selectinload(Category.parent),
        selectinload(RoutingRule.area),
        selectinload(RoutingRule.lead_unit),
    )


@bp.route("/rules")
@roles_required(Role.ADMIN)
def rules():
    active = db.session.scalars(
        select(RoutingRule)
        .where(RoutingRule.retired_at.is_(None))
        .options(*_rule_options())
        .order_by(RoutingRule.category_id, RoutingRule.area_id, RoutingRule.id)
    ).all()
    active = sorted(active, key=lambda r: (r.category.full_name, r.area.name if r.area else ""))
    query = select(RoutingRule).where(RoutingRule.retired_at.is_not(None)).options(*_rule_options())
    page = paging.keyset_page(query, (RoutingRule.id,), per_page=PAGE_SIZE, endpoint="admin.rules", anchor="history")
    retired = page.items
    user_ids = {i for r in [*active, *retired] for i in (r.created_by_id, r.retired_by_id) if i}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return render_template("admin/rules.html", active=active, retired=retired, users=users, page=page)


def _rule_form() -> RuleForm:
    preset = params.id_arg("category") if request.method == "GET" else None
    form = RuleForm(data={"category_id": preset} if preset else None)
    categories = db.session.scalars(
        select(Category).where(Category.parent_id.is_not(None)).options(selectinload(Category.parent))
    ).all()
    form.category_id.choices = sorted(
        (option(c.id, trees.label(c, c.full_name)) for c in categories), key=lambda choice: choice.label
    )
    areas = db.session.scalars(select(Area).where(Area.active).order_by(Area.sort, Area.name))
    form.area_id.choices = [option(NONE, _("— the whole zone —"))] + [option(a.id, a.name) for a in areas]
    form.lead_unit_id.choices = [
        option(n.item.id, trees.indented(n)) for n in trees.tree(trees.all_units()) if n.item.handles_tickets
    ]
    return form


@bp.route("/rules/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def rule_new():
    form = _rule_form()
    if form.validate_on_submit():
        category = db.get_or_404(Category, form.category_id.data)
        unit = db.get_or_404(Unit, form.lead_unit_id.data)
        routing.add_rule(category, unit, form.area_id.data or None, current_user, (form.note.data or "").strip())
        db.session.commit()
        flash(_("Rule added: %(category)s goes to %(unit)s.", category=category.full_name, unit=unit.name), "success")
        return redirect(url_for("admin.rules"))
    return render_template("admin/rule_form.html", form=form)


@bp.route("/rules/<id:rule_id>/retire", methods=["POST"])
@roles_required(Role.ADMIN)
def rule_retire(rule_id: int):
    rule = db.get_or_404(RoutingRule, rule_id)
    if rule.retired_at is not None:
        flash(_("This rule was already retired."), "info")
    else:
        routing.retire_rule(rule, current_user)
        db.session.commit()
        flash(_("Rule retired; it stays in the history."), "success")
    return redirect(url_for("admin.rules"))
