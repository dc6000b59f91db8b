"""Liaison pledges in the portal: an enterprise sees its cadres and rates their service once a year; a
cadre writes their card and pledge, logs visits to the paired enterprises and sees their ratings."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from supervise import web
from supervise.domain import pledge_figures, pledges
from supervise.domain.clock import now
from supervise.enterprise import bp
from supervise.enterprise.pledge_forms import WAY_LABELS, CardForm, ServiceRatingForm, VisitForm
from supervise.extensions import db
from supervise.models import Enterprise, Role, Unit, VisitWay

# ---------------------------------------------------------------- the enterprise: its cadres


def _render_cadres(form: ServiceRatingForm | None = None, rating_cadre_id: int | None = None):
    enterprise_id = current_user.enterprise_id
    if enterprise_id is None:
        abort(403)
    year = now().year
    cadres = pledges.cadres_of(enterprise_id)
    rated = {c.id: pledges.rating_for(enterprise_id, c.id, year) for c, _card in cadres}
    return render_template(
        "enterprise/pledge_cadres.html",
        cadres=[(c, card, pledges.served_projects(c)) for c, card in cadres],
        rated=rated,
        year=year,
        form=form or ServiceRatingForm(formdata=None),
        rating_cadre_id=rating_cadre_id,
    )


@bp.route("/cadres")
@web.roles_required(Role.ENTERPRISE)
def my_cadres():
    """The liaison cadres serving my company: who they are, their pledge and phone; rate them yearly."""
    return _render_cadres()


@bp.route("/cadres/<id:user_id>/rate", methods=["POST"])
@web.roles_required(Role.ENTERPRISE)
def rate_cadre(user_id: int):
    """Rate a paired cadre's service for this year (once a year)."""
    if current_user.enterprise_id is None:
        abort(403)
    cadre = pledges.paired_cadre(current_user.enterprise_id, user_id)
    if cadre is None:
        abort(404)
    form = ServiceRatingForm()
    if not form.validate_on_submit():
        return _render_cadres(form, cadre.id), 400
    try:
        pledges.rate_service(current_user, cadre, score=int(form.score.data), comment=form.comment.data or "")
        db.session.commit()
    except pledges.PledgeError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return redirect(url_for(".my_cadres"))
    flash(_("Thank you: your rating of %(name)s's service was recorded.", name=cadre.name), "success")
    return redirect(url_for(".my_cadres"))


# ---------------------------------------------------------------- the cadre: card, visits, ratings


def _card_form(bound: bool = True) -> CardForm:
    card = pledges.card_of(current_user)
    data = {}
    if card is not None:
        data = {"unit_id": card.unit_id, "title": card.title, "phone": card.phone, "pledge": card.pledge}
    form = CardForm(**({} if bound else {"formdata": None}), data=data)
    units = db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.sort, Unit.id))
    form.unit_id.choices = [SelectChoice("", _("Choose your unit"))] + [SelectChoice(u.id, u.name) for u in units]
    return form


def _render_pledge(form: CardForm):
    year = now().year
    enterprises = pledges.paired_enterprises(current_user)
    return render_template(
        "enterprise/pledge_mine.html",
        form=form,
        card=pledges.card_of(current_user),
        enterprises=enterprises,
        figures=pledge_figures.figures([current_user.id], year)[current_user.id],
        months=pledge_figures.visits_by_month(current_user.id, year),
        ratings=pledges.ratings_of(current_user),
        projects=pledges.served_projects(current_user),
        year=year,
    )


@bp.route("/pledge", methods=["GET", "POST"])
@web.roles_required(Role.CADRE)
def pledge():
    """My card and pledge (亮身份、亮承诺), my enterprises, my visits this year and my ratings."""
    form = _card_form()
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
        try:
            pledges.save_card(
                current_user, unit=unit, title=form.title.data, pledge=form.pledge.data, phone=form.phone.data
            )
            db.session.commit()
        except pledges.PledgeError as err:
            db.session.rollback()
            form.form_errors.append(err.message)
        else:
            flash(_("Your card was saved."), "success")
            return redirect(url_for(".pledge"))
    return _render_pledge(form)


def _paired_or_404(enterprise_id: int) -> Enterprise:
    enterprise = pledges.paired_enterprise(current_user, enterprise_id)
    if enterprise is None:
        abort(404, description=_("This enterprise is not paired with you."))
    return enterprise


@bp.route("/enterprises/<id:enterprise_id>/visits", methods=["GET", "POST"])
@web.roles_required(Role.CADRE)
def visits(enterprise_id: int):
    """My visits to one paired enterprise, and logging a new one."""
    enterprise = _paired_or_404(enterprise_id)
    form = VisitForm()
    if form.validate_on_submit():
        try:
            pledges.log_visit(
                current_user,
                enterprise,
                visited_on=form.visited_on.data,
                way=VisitWay(form.way.data),
                summary=form.summary.data,
                tracking_no=form.tracking_no.data,
            )
            db.session.commit()
        except pledges.PledgeError as err:
            db.session.rollback()
            form.form_errors.append(err.message)
        else:
            flash(_("The visit was logged."), "success")
            return redirect(url_for(".visits", enterprise_id=enterprise.id))
    elif request.method == "GET":
        form.visited_on.data = now().date()
    return render_template(
        "enterprise/pledge_visits.html",
        enterprise=enterprise,
        form=form,
        visits=pledges.visits_to(current_user, enterprise),
        ways=WAY_LABELS,
    )
