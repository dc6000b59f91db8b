"""Administration of users: the list by pages, new, edit, password reset, and a cadre's liaison pairs."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from supervise import paging
from supervise.admin import bp, trees
from supervise.admin.forms import NONE, PairForm, PasswordResetForm, UserEditForm, UserFilterForm, UserNewForm, option
from supervise.auth import sessions
from supervise.extensions import db
from supervise.models import Enterprise, LiaisonPair, Role, User
from supervise.operations import OperationError
from supervise.operations import users as users_ops
from supervise.web import roles_required

PAGE_SIZE = 50


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
            query = query.where(
                or_(
                    *(
                        col.icontains(term, autoescape=True)
                        for col in (User.name, User.username, User.mobile, User.email)
                    )
                )
            )
    args = {k: v for k, v in request.args.items() if k in ("role", "q") and v}
    page = paging.keyset_page(query, (User.id,), per_page=PAGE_SIZE, endpoint="admin.users", args=args)
    return render_template("admin/users.html", users=page.items, filters=filters, page=page)


def _staff_unit_choices(form: UserEditForm) -> None:
    form.unit_id.choices = trees.unit_choices(trees.all_units(), _("— none —"))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = UserNewForm()
    _staff_unit_choices(form)
    if form.validate_on_submit():
        try:
            user = users_ops.create_staff(
                current_user,
                username=form.username.data,
                name=form.name.data,
                role=Role(form.role_choice.data),
                unit_id=form.unit_id.data or None,
                mobile=form.mobile.data,
                email=form.email.data,
                password=form.password.data,
                active=form.active.data,
            )
        except OperationError as err:
            form[err.field if err.field in form else "username"].errors.append(str(err.message))
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


def _edit_form(user: User, bound: bool = True) -> UserEditForm:
    """The details form; ``bound=False`` ignores the posted data (another form on the page was sent)."""
    data = {
        "name": user.name,
        "unit_id": user.unit_id or NONE,
        "mobile": user.mobile or "",
        "email": user.email or "",
        "active": user.active,
    }
    form = UserEditForm(**({} if bound else {"formdata": None}), data=data)
    form.role = user.role
    _staff_unit_choices(form)
    return form


def _pair_form(cadre: User, bound: bool = True) -> PairForm:
    form = PairForm(**({} if bound else {"formdata": None}))
    paired = select(LiaisonPair.enterprise_id).where(LiaisonPair.cadre_id == cadre.id)
    form.enterprise_id.choices = [
        option(e.id, f"{e.name} ({e.credit_code})")
        for e in db.session.scalars(select(Enterprise).where(Enterprise.id.not_in(paired)).order_by(Enterprise.name))
    ]
    return form


def _render_user_edit(
    user: User,
    form: UserEditForm | None = None,
    reset_form: PasswordResetForm | None = None,
    pair_form: PairForm | None = None,
):
    pairs = []
    if user.role == Role.CADRE:
        pairs = db.session.scalars(
            select(LiaisonPair)
            .where(LiaisonPair.cadre_id == user.id)
            .options(selectinload(LiaisonPair.enterprise))
            .order_by(LiaisonPair.id)
        ).all()
        pair_form = pair_form or _pair_form(user, bound=False)
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form or _edit_form(user, bound=False),
        reset_form=reset_form or PasswordResetForm(formdata=None),
        pair_form=pair_form,
        pairs=pairs,
    )


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
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
    user = db.get_or_404(User, user_id)
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
    """The user ``user_id`` if a cadre (only cadres have liaison pairs); else 404."""
    return db.one_or_404(select(User).where(User.id == user_id, User.role == Role.CADRE))


@bp.route("/users/<id:user_id>/pairs", methods=["POST"])
@roles_required(Role.ADMIN)
def pair_add(user_id: int):
    cadre = _cadre_or_404(user_id)
    form = _pair_form(cadre)
    if not form.validate_on_submit():
        return _render_user_edit(cadre, pair_form=form)
    enterprise = db.get_or_404(Enterprise, form.enterprise_id.data)
    db.session.add(LiaisonPair(cadre_id=cadre.id, enterprise_id=enterprise.id))
    db.session.commit()
    flash(_("%(cadre)s is now paired with %(enterprise)s.", cadre=cadre.name, enterprise=enterprise.name), "success")
    return redirect(url_for("admin.user_edit", user_id=cadre.id, _anchor="pairs"))


@bp.route("/users/<id:user_id>/pairs/<id:pair_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def pair_remove(user_id: int, pair_id: int):
    cadre = _cadre_or_404(user_id)
    pair = db.one_or_404(select(LiaisonPair).where(LiaisonPair.id == pair_id, LiaisonPair.cadre_id == cadre.id))
    name = pair.enterprise.name
    db.session.delete(pair)
    db.session.commit()
    flash(_("The pair with %(enterprise)s was removed.", enterprise=name), "success")
    return redirect(url_for("admin.user_edit", user_id=cadre.id, _anchor="pairs"))
