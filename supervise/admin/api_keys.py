"""Administration of Open311 API keys: list, issue (the secret is shown once), revoke."""

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from supervise import paging
from supervise.admin import bp
from supervise.extensions import db
from supervise.models import ApiKey, Role, User
from supervise.open311 import keys
from supervise.web import roles_required

PAGE_SIZE = 50


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("Client name"),
        validators=[DataRequired(), Length(max=keys.NAME_MAX)],
        description=_l("Who uses the key, e.g. the hotline system or a city app."),
    )


@bp.route("/api-keys")
@roles_required(Role.ADMIN)
def api_keys():
    page = paging.keyset_page(select(ApiKey), (ApiKey.id,), per_page=PAGE_SIZE, endpoint="admin.api_keys")
    user_ids = {k.created_by_id for k in page.items if k.created_by_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return render_template("admin/api_keys.html", keys=page.items, users=users, page=page)


@bp.route("/api-keys/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def api_key_new():
    form = ApiKeyForm()
    if form.validate_on_submit():
        key, secret = keys.issue(form.name.data, current_user)
        db.session.commit()
        # Shown on this response only: never stored, never redirected through the session.
        response = make_response(render_template("admin/api_keys_created.html", key=key, secret=secret))
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("admin/api_keys_new.html", form=form)


@bp.route("/api-keys/<id:key_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def api_key_revoke(key_id: int):
    key = db.get_or_404(ApiKey, key_id)
    if keys.revoke(key):
        db.session.commit()
        flash(
            _(
                "The key %(prefix)s… of %(name)s is revoked: it can no longer file requests.",
                prefix=key.prefix,
                name=key.name,
            ),
            "success",
        )
    else:
        flash(_("This key was already revoked."), "info")
    return redirect(url_for("admin.api_keys"))
