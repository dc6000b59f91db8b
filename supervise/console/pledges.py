"""Liaison pledges for the office: every cadre's card and figures, the cadres without a visit this
quarter, publishing and withdrawing a card."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField

from supervise import web
from supervise.console import bp
from supervise.domain import pledge_figures, pledges
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import CadreCard

overseers = web.roles_required(*pledges.OVERSEERS)


class PublishForm(FlaskForm):
    published = HiddenField()


@bp.route("/pledges")
@overseers
def pledges_overview():
    """Every cadre: card published or not, enterprises served, visits this year, the average rating;
    and the cadres with enterprises but no visit logged this quarter."""
    today = now().date()
    cadres = pledge_figures.all_cadres()
    since = pledge_figures.quarter_start(today)
    return render_template(
        "console/pledges.html",
        cadres=cadres,
        figures=pledge_figures.figures([c.id for c, _card in cadres], today.year),
        idle=pledge_figures.without_visits_since(since),
        since=since,
        year=today.year,
        form=PublishForm(formdata=None),
    )


@bp.route("/pledges/<id:user_id>/publish", methods=["POST"])
@overseers
def pledge_publish(user_id: int):
    """Publish or withdraw the cadre's card."""
    card = db.session.scalar(select(CadreCard).where(CadreCard.cadre_id == user_id))
    if card is None:
        abort(404, description=_("This cadre has not written a card yet."))
    form = PublishForm()
    if not form.validate_on_submit() or form.published.data not in ("0", "1"):
        flash(_("The request was not understood; nothing was changed."), "danger")
        return redirect(url_for(".pledges_overview"))
    pledges.set_published(current_user, card, form.published.data == "1")
    db.session.commit()
    if card.published:
        flash(_("%(name)s's card is now public.", name=card.cadre.name), "success")
    else:
        flash(_("%(name)s's card was withdrawn from the public pages.", name=card.cadre.name), "success")
    return redirect(url_for(".pledges_overview"))
