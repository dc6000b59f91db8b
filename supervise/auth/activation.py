"""Activating an invitation: a company known only from staff intake, a cadre or Open311 chooses a
username and password, and gets a verified account of that company."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from supervise.auth import bp, sessions
from supervise.auth.forms import ActivateForm
from supervise.domain import invitations, verification
from supervise.extensions import db
from supervise.models import User


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    """The invitation's form; an unknown, used, replaced or expired link gets a page that says which."""
    try:
        invitation = invitations.invitation_for(token)
    except verification.VerificationError as err:
        return render_template("auth/activate.html", problem=err.message, form=None), 410
    form = ActivateForm()
    if form.validate_on_submit():
        if User.by_username(form.username.data):
            form.username.errors.append(_("This username is taken."))
        else:
            try:
                user = invitations.activate(invitation, form.username.data, form.name.data, form.password.data)
                sessions.log_out()  # whoever was logged in here, the invitee goes on in their own session
                sessions.log_in(user)
                db.session.commit()
            except verification.VerificationError as err:
                db.session.rollback()
                return render_template("auth/activate.html", problem=err.message, form=None), 410
            except IntegrityError:  # the username was taken by a concurrent request
                db.session.rollback()
                form.username.errors.append(_("This username is taken."))
            else:
                flash(
                    _(
                        "Your account of %(company)s is active: you can follow and rate its complaints.",
                        company=invitation.enterprise.name,
                    ),
                    "success",
                )
                return redirect(url_for("enterprise.index"))
    return render_template("auth/activate.html", form=form, invitation=invitation, problem=None)
