"""Activating an invitation: a company known only from staff intake, a cadre or Open311 chooses a
username and password, and gets a verified account of that company."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from supervise.auth import bp
from supervise.domain import verification
from supervise.extensions import db
from supervise.forms_common import strong_password
from supervise.models import User


class ActivateForm(FlaskForm):
    name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=60)])
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=3, max=60),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200), strong_password])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    """The invitation's form; an unknown, used, replaced or expired link gets a page that says which."""
    try:
        invitation = verification.invitation_for(token)
    except verification.VerificationError as err:
        return render_template("auth/activate.html", problem=err.message, form=None), 410
    form = ActivateForm()
    if form.validate_on_submit():
        if User.by_username(form.username.data):
            form.username.errors.append(_("This username is taken."))
        else:
            try:
                user = verification.activate(invitation, form.username.data, form.name.data, form.password.data)
                db.session.commit()
            except verification.VerificationError as err:
                db.session.rollback()
                return render_template("auth/activate.html", problem=err.message, form=None), 410
            except IntegrityError:  # the username was taken by a concurrent request
                db.session.rollback()
                form.username.errors.append(_("This username is taken."))
            else:
                logout_user()
                login_user(user)
                flash(_("Your account of %(company)s is active: you can follow and rate its complaints.",
                        company=invitation.enterprise.name), "success")
                return redirect(url_for("enterprise.index"))
    return render_template("auth/activate.html", form=form, invitation=invitation, problem=None)
