from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from supervise import throttle
from supervise.auth import bp, sessions
from supervise.auth.forms import LoginForm, PasswordForm, RegisterForm
from supervise.domain.clock import now
from supervise.extensions import db, limiter
from supervise.models import Area, Role, User
from supervise.operations import enterprises
from supervise.operations.users import UsernameTaken
from supervise.redirects import redirect_to_next

HOME = {
    Role.ENTERPRISE: "enterprise.index",
    Role.CADRE: "enterprise.index",
    Role.HANDLER: "unit.index",
    Role.LEADER: "unit.index",
    Role.SUPERVISOR: "console.index",
    Role.ADMIN: "admin.index",
}


def home_url(user: User) -> str:
    return url_for(HOME[user.role])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(throttle.configured("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(throttle.configured("LOGIN_ACCOUNT_RATE_LIMIT"), key_func=throttle.login_account, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = User.by_username(form.username.data)
        if user is None or not user.check_password(form.password.data) or not user.active:
            flash(_("Wrong username or password."), "danger")
        else:
            sessions.log_in(user, remember=form.remember.data)
            user.last_login_at = now()
            db.session.commit()
            return redirect_to_next(request.args.get("next"), home_url(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.log_out()
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            user = current_user._get_current_object()  # the user itself: Flask-Login keeps what it is given
            user.set_password(form.new.data)  # every session of the user ends, this browser's too
            sessions.log_in_again(user)
            db.session.commit()
            flash(_("Your password has been changed; your other sessions have been logged out."), "success")
            return redirect(home_url(user))
    return render_template("auth/password.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(throttle.configured("REGISTER_RATE_LIMIT"), methods=["POST"])
def register():
    form = RegisterForm()
    form.area_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(a.id, a.name)
        for a in db.session.scalars(select(Area).where(Area.active).order_by(Area.sort, Area.id))
    ]
    if form.validate_on_submit():
        try:
            user = enterprises.register_applicant(
                code=form.credit_code.data,
                company=form.company.data,
                industry=form.industry.data,
                area_id=form.area_id.data or None,
                address=form.address.data,
                contact_name=form.contact_name.data.strip(),
                mobile=form.mobile.data,
                email=form.email.data or None,
                username=form.username.data,
                password=form.password.data,
            )
        except UsernameTaken as err:
            db.session.rollback()  # the company it may have registered goes too
            form.username.errors.append(str(err.message))
        else:
            sessions.log_in(user)
            db.session.commit()
            flash(
                _(
                    "Your account is registered. Until it is verified you see only the complaints you file "
                    "yourself: verify it now."
                ),
                "success",
            )
            return redirect(url_for("enterprise.verification"))
    return render_template("auth/register.html", form=form)
