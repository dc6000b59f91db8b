"""Administration for IT staff: units, categories, routing rules, users and liaison pairs, the calendar."""

import calendar as stdlib_calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from babel.dates import get_day_names
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from supervise import params
from supervise.admin import bp
from supervise.admin.forms import (
    NONE,
    CalendarDayClearForm,
    CalendarDayForm,
    CalendarSyncForm,
    CategoryForm,
    PairForm,
    PasswordResetForm,
    RuleForm,
    UnitForm,
    UserEditForm,
    UserFilterForm,
    UserNewForm,
    option,
)
from supervise.auth import sessions
from supervise.domain import calendar_admin, routing
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.jobs import enqueue, maintenance
from supervise.models import (
    Area,
    CalendarDay,
    Category,
    Enterprise,
    LiaisonPair,
    LimitClass,
    Role,
    RoutingRule,
    Unit,
    UnitKind,
    User,
)
from supervise.web import roles_required

PAGE_SIZE = 50
T = TypeVar("T")


def _get_or_404(model: type[T], object_id: int) -> T:
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _after_arg() -> int | None:
    """The keyset cursor ``?after=<id>`` of a list ordered by id descending."""
    return params.id_arg("after")


# --- trees ---------------------------------------------------------------------------------------


@dataclass
class Node:
    item: Unit | Category
    depth: int


def _children_map(rows: Iterable) -> dict[int | None, list]:
    """Rows grouped by parent id (in sort order); a row whose parent is missing counts as a root."""
    rows = list(rows)
    ids = {r.id for r in rows}
    children: dict[int | None, list] = defaultdict(list)
    for row in rows:
        children[row.parent_id if row.parent_id in ids else None].append(row)
    for siblings in children.values():
        siblings.sort(key=lambda r: (r.sort, r.name, r.id))
    return children


def _tree(rows: Iterable) -> list[Node]:
    """Depth-first order with depths, built in Python from one query's rows."""
    children = _children_map(rows)
    out: list[Node] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for row in children.get(parent_id, []):
            if row.id in seen:  # a cycle in old data must not hang the page
                continue
            seen.add(row.id)
            out.append(Node(row, depth))
            walk(row.id, depth + 1)

    walk(None, 0)
    return out


def _descendant_ids(rows: Iterable, root_id: int) -> set[int]:
    children = _children_map(rows)
    found: set[int] = set()
    stack = [root_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child.id not in found:
                found.add(child.id)
                stack.append(child.id)
    return found


def _label(item: Unit | Category | Area, name: str | None = None) -> str:
    """An option's text: the name, marked when the item is inactive."""
    return (name or item.name) + ("" if item.active else " " + _("(inactive)"))


def _indented(node: Node) -> str:
    return "\u2003" * node.depth + _label(node.item)


def _unit_choices(units: list[Unit], none_label: str, leads_only: bool = False) -> list[SelectChoice]:
    """The units as an indented tree; ``leads_only``: without the office, which never leads on a ticket."""
    return [option(NONE, none_label)] + [option(n.item.id, _indented(n)) for n in _tree(units)
                                         if not (leads_only and n.item.kind == UnitKind.OFFICE)]


def _all_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit)))


# --- dashboard -----------------------------------------------------------------------------------


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    def count(query) -> int:
        return db.session.scalar(query) or 0

    counts = {
        "units": count(select(func.count(Unit.id))),
        "areas": count(select(func.count(Category.id)).where(Category.parent_id.is_(None))),
        "categories": count(select(func.count(Category.id)).where(Category.parent_id.is_not(None))),
        "rules": count(select(func.count(RoutingRule.id)).where(RoutingRule.retired_at.is_(None))),
        "users": count(select(func.count(User.id))),
        "calendar": count(select(func.count(CalendarDay.day))),
    }
    return render_template("admin/index.html", counts=counts, year=now().year)


# --- units ---------------------------------------------------------------------------------------


@bp.route("/units")
@roles_required(Role.ADMIN)
def units():
    return render_template("admin/units.html", tree=_tree(_all_units()))


def _unit_form(unit: Unit | None, all_units: list[Unit]) -> UnitForm:
    data = None
    if unit is not None:
        data = {"name": unit.name, "short_name": unit.short_name or "", "kind": unit.kind.value,
                "parent_id": unit.parent_id or NONE, "active": unit.active, "sort": unit.sort}
    form = UnitForm(data=data)
    form.parent_id.choices = _unit_choices(all_units, _("— none (top level) —"))
    if unit is not None:
        form.forbidden_parents = frozenset({unit.id} | _descendant_ids(all_units, unit.id))
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
    form = _unit_form(None, _all_units())
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
    unit = _get_or_404(Unit, unit_id)
    form = _unit_form(unit, _all_units())
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


# --- categories ----------------------------------------------------------------------------------


@bp.route("/categories")
@roles_required(Role.ADMIN)
def categories():
    rows = db.session.scalars(
        select(Category).options(selectinload(Category.default_lead_unit), selectinload(Category.co_units))
    ).all()
    return render_template("admin/categories.html", tree=_tree(rows))


def _category_form(category: Category | None) -> CategoryForm:
    data = None
    if category is not None:
        data = {"name": category.name, "parent_id": category.parent_id or NONE,
                "default_lead_unit_id": category.default_lead_unit_id or NONE,
                "co_unit_ids": [u.id for u in category.co_units], "limit_class": category.limit_class.value,
                "intake_questions": category.intake_questions or "", "description": category.description or "",
                "active": category.active, "sort": category.sort}
    elif request.method == "GET" and params.id_arg("parent"):
        data = {"parent_id": params.id_arg("parent")}
    form = CategoryForm(data=data)
    areas = db.session.scalars(
        select(Category).where(Category.parent_id.is_(None)).order_by(Category.sort, Category.name)
    ).all()
    form.parent_id.choices = [option(NONE, _("— none: this is a top-level area —"))] + [
        option(a.id, _label(a)) for a in areas if category is None or a.id != category.id]
    units = _all_units()
    form.default_lead_unit_id.choices = _unit_choices(units, _("— none —"), leads_only=True)
    form.co_unit_ids.choices = _unit_choices(units, "")[1:]
    form.area_ids = frozenset(a.id for a in areas)
    form.unit_ids = frozenset(u.id for u in units if u.kind != UnitKind.OFFICE)  # possible lead units
    if category is not None:
        form.editing_id = category.id
        form.has_children = db.session.scalar(
            select(Category.id).where(Category.parent_id == category.id).limit(1)) is not None
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
    category = _get_or_404(Category, category_id)
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


# --- routing rules -------------------------------------------------------------------------------


def _rule_options():
    return (selectinload(RoutingRule.category).selectinload(Category.parent),
            selectinload(RoutingRule.area), selectinload(RoutingRule.lead_unit))


@bp.route("/rules")
@roles_required(Role.ADMIN)
def rules():
    active = db.session.scalars(
        select(RoutingRule).where(RoutingRule.retired_at.is_(None)).options(*_rule_options())
        .order_by(RoutingRule.category_id, RoutingRule.area_id, RoutingRule.id)
    ).all()
    active = sorted(active, key=lambda r: (r.category.full_name, r.area.name if r.area else ""))
    query = select(RoutingRule).where(RoutingRule.retired_at.is_not(None)).options(*_rule_options())
    after = _after_arg()
    if after:
        query = query.where(RoutingRule.id < after)
    retired = db.session.scalars(query.order_by(RoutingRule.id.desc()).limit(PAGE_SIZE + 1)).all()
    next_url = None
    if len(retired) > PAGE_SIZE:
        retired = retired[:PAGE_SIZE]
        next_url = url_for("admin.rules", after=retired[-1].id, _anchor="history")
    user_ids = {i for r in [*active, *retired] for i in (r.created_by_id, r.retired_by_id) if i}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return render_template("admin/rules.html", active=active, retired=retired, users=users, next_url=next_url,
                           first_url=url_for("admin.rules", _anchor="history") if after else None)


def _rule_form() -> RuleForm:
    preset = params.id_arg("category") if request.method == "GET" else None
    form = RuleForm(data={"category_id": preset} if preset else None)
    categories = db.session.scalars(
        select(Category).where(Category.parent_id.is_not(None)).options(selectinload(Category.parent))
    ).all()
    form.category_id.choices = sorted((option(c.id, _label(c, c.full_name)) for c in categories),
                                      key=lambda choice: choice.label)
    areas = db.session.scalars(select(Area).where(Area.active).order_by(Area.sort, Area.name))
    form.area_id.choices = [option(NONE, _("— the whole zone —"))] + [option(a.id, a.name) for a in areas]
    form.lead_unit_id.choices = [option(n.item.id, _indented(n)) for n in _tree(_all_units())
                                 if n.item.handles_tickets]
    return form


@bp.route("/rules/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def rule_new():
    form = _rule_form()
    if form.validate_on_submit():
        category = _get_or_404(Category, form.category_id.data)
        unit = _get_or_404(Unit, form.lead_unit_id.data)
        routing.add_rule(category, unit, form.area_id.data or None, current_user, (form.note.data or "").strip())
        db.session.commit()
        flash(_("Rule added: %(category)s goes to %(unit)s.", category=category.full_name, unit=unit.name),
              "success")
        return redirect(url_for("admin.rules"))
    return render_template("admin/rule_form.html", form=form)


@bp.route("/rules/<id:rule_id>/retire", methods=["POST"])
@roles_required(Role.ADMIN)
def rule_retire(rule_id: int):
    rule = _get_or_404(RoutingRule, rule_id)
    if rule.retired_at is not None:
        flash(_("This rule was already retired."), "info")
    else:
        routing.retire_rule(rule, current_user)
        db.session.commit()
        flash(_("Rule retired; it stays in the history."), "success")
    return redirect(url_for("admin.rules"))


# --- users ---------------------------------------------------------------------------------------


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    filters = UserFilterForm(request.args)
    query = select(User).options(selectinload(User.unit), selectinload(User.enterprise))
    if filters.validate():
        if filters.role.data:
            query = query.where(User.role == Role(filters.role.data))
        term = (filters.q.data or "").strip()
        if term:
            query = query.where(or_(*(col.icontains(term, autoescape=True)
                                      for col in (User.name, User.username, User.mobile, User.email))))
    after = _after_arg()
    if after:
        query = query.where(User.id < after)
    rows = db.session.scalars(query.order_by(User.id.desc()).limit(PAGE_SIZE + 1)).all()
    args = {k: v for k, v in request.args.items() if k in ("role", "q") and v}
    next_url = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_url = url_for("admin.users", after=rows[-1].id, **args)
    return render_template("admin/users.html", users=rows, filters=filters, next_url=next_url,
                           first_url=url_for("admin.users", **args) if after else None)


def _staff_unit_choices(form: UserEditForm) -> None:
    form.unit_id.choices = _unit_choices(_all_units(), _("— none —"))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = UserNewForm()
    _staff_unit_choices(form)
    if form.validate_on_submit():
        if User.by_username(form.username.data):
            form.username.errors.append(_("This username is taken."))
        else:
            user = User(username=form.username.data.strip(), name=form.name.data.strip(),
                        role=Role(form.role_choice.data), unit_id=form.unit_id.data or None,
                        mobile=form.mobile.data or None, email=(form.email.data or "").strip() or None,
                        active=form.active.data)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.commit()
            flash(_("User %(name)s created.", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


def _edit_form(user: User, bound: bool = True) -> UserEditForm:
    """The details form; ``bound=False`` ignores the posted data (another form on the page was sent)."""
    data = {"name": user.name, "unit_id": user.unit_id or NONE, "mobile": user.mobile or "",
            "email": user.email or "", "active": user.active}
    form = UserEditForm(**({} if bound else {"formdata": None}), data=data)
    form.role = user.role
    _staff_unit_choices(form)
    return form


def _pair_form(cadre: User, bound: bool = True) -> PairForm:
    form = PairForm(**({} if bound else {"formdata": None}))
    paired = select(LiaisonPair.enterprise_id).where(LiaisonPair.cadre_id == cadre.id)
    form.enterprise_id.choices = [
        option(e.id, f"{e.name} ({e.credit_code})") for e in db.session.scalars(
            select(Enterprise).where(Enterprise.id.not_in(paired)).order_by(Enterprise.name))]
    return form


def _render_user_edit(user: User, form: UserEditForm | None = None, reset_form: PasswordResetForm | None = None,
                      pair_form: PairForm | None = None):
    pairs = []
    if user.role == Role.CADRE:
        pairs = db.session.scalars(
            select(LiaisonPair).where(LiaisonPair.cadre_id == user.id)
            .options(selectinload(LiaisonPair.enterprise)).order_by(LiaisonPair.id)
        ).all()
        pair_form = pair_form or _pair_form(user, bound=False)
    return render_template("admin/user_edit.html", user=user, form=form or _edit_form(user, bound=False),
                           reset_form=reset_form or PasswordResetForm(formdata=None), pair_form=pair_form,
                           pairs=pairs)


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = _get_or_404(User, user_id)
    form = _edit_form(user)
    if form.validate_on_submit():
        if user.id == current_user.id and not form.active.data:
            form.active.errors.append(_("You cannot deactivate your own account."))
        else:
            user.name = form.name.data.strip()
            if user.role != Role.ENTERPRISE:
                user.unit_id = form.unit_id.data or None
            user.mobile = form.mobile.data or None
            user.email = (form.email.data or "").strip() or None
            user.active = form.active.data
            db.session.commit()
            flash(_("User %(name)s saved.", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _render_user_edit(user, form=form)


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
def user_password(user_id: int):
    user = _get_or_404(User, user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _render_user_edit(user, reset_form=form)
    user.set_password(form.new_password.data)  # every session of the user ends
    if user.id == current_user.id:
        sessions.log_in_again(user)  # the administrator's own: this browser goes on
    db.session.commit()
    flash(_("Password reset; %(name)s's sessions have ended.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


def _cadre_or_404(user_id: int) -> User:
    user = _get_or_404(User, user_id)
    if user.role != Role.CADRE:
        abort(404)
    return user


@bp.route("/users/<id:user_id>/pairs", methods=["POST"])
@roles_required(Role.ADMIN)
def pair_add(user_id: int):
    cadre = _cadre_or_404(user_id)
    form = _pair_form(cadre)
    if not form.validate_on_submit():
        return _render_user_edit(cadre, pair_form=form)
    enterprise = _get_or_404(Enterprise, form.enterprise_id.data)
    db.session.add(LiaisonPair(cadre_id=cadre.id, enterprise_id=enterprise.id))
    db.session.commit()
    flash(_("%(cadre)s is now paired with %(enterprise)s.", cadre=cadre.name, enterprise=enterprise.name), "success")
    return redirect(url_for("admin.user_edit", user_id=cadre.id, _anchor="pairs"))


@bp.route("/users/<id:user_id>/pairs/<id:pair_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def pair_remove(user_id: int, pair_id: int):
    cadre = _cadre_or_404(user_id)
    pair = _get_or_404(LiaisonPair, pair_id)
    if pair.cadre_id != cadre.id:
        abort(404)
    name = pair.enterprise.name
    db.session.delete(pair)
    db.session.commit()
    flash(_("The pair with %(enterprise)s was removed.", enterprise=name), "success")
    return redirect(url_for("admin.user_edit", user_id=cadre.id, _anchor="pairs"))


# --- calendar ------------------------------------------------------------------------------------


@dataclass
class DayCell:
    day: date | None
    kind: str = ""  # work | weekend | holiday | makeup
    name: str = ""
    corrected: bool = False


def _year_arg() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else now().year


def _month_grid(year: int, rows: dict[date, CalendarDay]) -> list[tuple[str, list[list[DayCell]]]]:
    """Twelve months as weeks (Monday first) of cells coloured by the stored calendar."""
    cal = load_calendar()
    months = []
    for month in range(1, 13):
        weeks = []
        for week in stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(DayCell(None))
                    continue
                working, weekend = cal.is_working_day(day), day.weekday() >= 5
                kind = ("makeup" if weekend else "work") if working else ("weekend" if weekend else "holiday")
                row = rows.get(day)
                cells.append(DayCell(day, kind, row.name if row else "", bool(row and row.source == "admin")))
            weeks.append(cells)
        months.append((format_date(date(year, month, 1), "LLLL"), weeks))
    return months


def _render_calendar(year: int, form: CalendarDayForm):
    rows = db.session.scalars(
        select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ).all()
    user_ids = {r.updated_by_id for r in rows if r.updated_by_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    weekdays = get_day_names("abbreviated", context="stand-alone", locale=get_locale())
    return render_template(
        "admin/calendar.html", year=year, rows=rows, users=users, form=form,
        weekday_names=[weekdays[i] for i in range(7)],
        weekday_of={r.day: weekdays[r.day.weekday()] for r in rows},
        months=_month_grid(year, {r.day: r for r in rows}),
        clear_form=CalendarDayClearForm(formdata=None), sync_form=CalendarSyncForm(formdata=None, year=str(year)),
    )


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def calendar():
    year = _year_arg()
    form = CalendarDayForm()
    if form.validate_on_submit():
        day = form.day.data
        calendar_admin.set_day(day, form.is_workday.data == "1", (form.name.data or "").strip(), current_user)
        db.session.commit()
        status = _("a working day") if form.is_workday.data == "1" else _("a day off")
        flash(_("%(day)s is now %(status)s.", day=day.isoformat(), status=status), "success")
        return redirect(url_for("admin.calendar", year=day.year))
    return _render_calendar(year, form)


@bp.route("/calendar/clear", methods=["POST"])
@roles_required(Role.ADMIN)
def calendar_clear():
    form = CalendarDayClearForm()
    if not form.validate_on_submit():
        abort(400)
    calendar_admin.clear_day(form.day.data)
    db.session.commit()
    flash(_("%(day)s follows the weekend rule again.", day=form.day.data.isoformat()), "success")
    return redirect(url_for("admin.calendar", year=form.day.data.year))


@bp.route("/calendar/sync", methods=["POST"])
@roles_required(Role.ADMIN)
def calendar_sync():
    form = CalendarSyncForm()
    if not form.validate_on_submit() or not 2000 <= int(form.year.data) <= 2100:
        abort(400)
    year = int(form.year.data)
    # One year at a time so that a year the package does not know yet can be named.
    loaded = {y: calendar_admin.sync_from_package([y]) for y in (year, year + 1)}
    db.session.commit()
    flash(_("Loaded %(count)d days from the calendar package (%(detail)s).", count=sum(loaded.values()),
            detail=", ".join(f"{y}: {n}" for y, n in loaded.items())), "success")
    for y, n in loaded.items():
        if n == 0:
            flash(_("No days were found for %(year)d: the package may not know that year yet. Enter its holidays "
                    "and make-up working days by hand, or load again after the package is updated.", year=y),
                  "warning")
    return redirect(url_for("admin.calendar", year=year))

