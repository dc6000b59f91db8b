"""Personal API tokens: a unit's staff member or a supervisor connects their own system to the JSON API
(/api/v1/). The page lists the user's tokens, creates one (its secret is shown on that response only,
never stored: only its hash and first characters are kept) and revokes one."""

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from supervise.api.auth import API_ROLES
from supervise.auth import bp
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import ApiToken
from supervise.web import roles_required

MAX_ACTIVE_TOKENS = 10
NAME_MAX = 100


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=NAME_MAX)],
        description=_l("What the token is for, e.g. the system that uses it."),
    )


class RevokeForm(FlaskForm):
    """Only the CSRF token."""


def _active_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
    )


def _page(form: TokenForm, status: int = 200, created: ApiToken | None = None, secret: str | None = None):
    tokens = list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == current_user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
            .limit(100)
        )
    )
    response = make_response(
        render_template(
            "auth/tokens.html", form=form, tokens=tokens, created=created, secret=secret, max_active=MAX_ACTIVE_TOKENS
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tokens")
@roles_required(*API_ROLES)
def tokens():
    """The user's API tokens and the form to create one."""
    return _page(TokenForm(formdata=None))


@bp.route("/tokens/new", methods=["POST"])
@roles_required(*API_ROLES)
def token_new():
    """Create a token; its secret appears on this response only (never flashed through the session)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    if _active_count() >= MAX_ACTIVE_TOKENS:
        form.name.errors.append(
            _("You have %(n)d active tokens already; revoke one you no longer use.", n=MAX_ACTIVE_TOKENS)
        )
        return _page(form, 400)
    token, secret = ApiToken.issue(current_user, form.name.data.strip())
    db.session.add(token)
    db.session.commit()
    return _page(TokenForm(formdata=None), created=token, secret=secret)


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@roles_required(*API_ROLES)
def token_revoke(token_id: int):
    """Revoke one of the user's own tokens: requests with it are refused from now on."""
    token = db.one_or_404(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id))
    if not RevokeForm().validate_on_submit():
        abort(400)
    if token.revoked_at is None:
        token.revoked_at = now()
        db.session.commit()
        flash(_("The token %(name)s is revoked: requests with it are refused.", name=token.name), "success")
    else:
        flash(_("This token was already revoked."), "info")
    return redirect(url_for("auth.tokens"))
