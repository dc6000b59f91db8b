"""Administration of the evaluation's indicators: each with its lead unit, its chief (a leader), its
last score and target. Indicators are never deleted: deactivate one the evaluation dropped."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from supervise.admin import bp
from supervise.admin.forms import NONE, option
from supervise.extensions import db
from supervise.models import Indicator, Role, Unit, User
from supervise.web import roles_required


class IndicatorForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    lead_unit_id = SelectField(_l("Leading unit"), coerce=int, default=NONE)
    chief_id = SelectField(_l("Indicator chief"), coerce=int, default=NONE, description=_l("A unit leader."))
    last_score = DecimalField(_l("Last score"), places=2, validators=[Optional(), NumberRange(0, 100)])
    target_score = DecimalField(_l("Target"), places=2, validators=[Optional(), NumberRange(0, 100)])
    sort = IntegerField(_l("Sort order"), default=0, validators=[InputRequired(), NumberRange(-9999, 9999)])
    active = BooleanField(_l("Active"), default=True)


def _form(indicator: Indicator | None) -> IndicatorForm:
    data = None
    if indicator is not None:
        data = {
            "code": indicator.code,
            "name": indicator.name,
            "lead_unit_id": indicator.lead_unit_id or NONE,
            "chief_id": indicator.chief_id or NONE,
            "last_score": indicator.last_score,
            "target_score": indicator.target_score,
            "sort": indicator.sort,
            "active": indicator.active,
        }
    form = IndicatorForm(data=data)
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.id))
    form.lead_unit_id.choices = [option(NONE, _("— none —"))] + [option(u.id, u.name) for u in units]
    leaders = db.session.scalars(
        select(User)
        .where(User.role == Role.LEADER, User.active.is_(True))
        .options(selectinload(User.unit))
        .order_by(User.unit_id, User.name)
    )
    form.chief_id.choices = [option(NONE, _("— none —"))] + [
        option(u.id, f"{u.name}（{u.unit.name if u.unit else ''}）") for u in leaders
    ]
    return form


def _taken(form: IndicatorForm, indicator: Indicator) -> bool:
    """Is the code or the name another indicator's? (the error goes on the field)"""
    others = select(Indicator).where(Indicator.id != (indicator.id or -1))
    clash = False
    if db.session.scalar(others.where(Indicator.code == form.code.data.strip())):
        form.code.errors.append(_("Another indicator has this code."))
        clash = True
    if db.session.scalar(others.where(Indicator.name == form.name.data.strip())):
        form.name.errors.append(_("Another indicator has this name."))
        clash = True
    return clash


def _save(form: IndicatorForm, indicator: Indicator) -> None:
    indicator.code, indicator.name = form.code.data.strip(), form.name.data.strip()
    indicator.lead_unit_id = form.lead_unit_id.data or None
    indicator.chief_id = form.chief_id.data or None
    indicator.last_score = float(form.last_score.data) if form.last_score.data is not None else None
    indicator.target_score = float(form.target_score.data) if form.target_score.data is not None else None
    indicator.sort, indicator.active = form.sort.data, form.active.data


@bp.route("/indicators")
@roles_required(Role.ADMIN)
def indicators():
    found = db.session.scalars(
        select(Indicator)
        .options(selectinload(Indicator.lead_unit), selectinload(Indicator.chief))
        .order_by(Indicator.sort, Indicator.id)
    )
    return render_template("admin/indicators.html", indicators=list(found))


def _edit(indicator: Indicator, created: bool):
    form = _form(None if created else indicator)
    if form.validate_on_submit() and not _taken(form, indicator):
        _save(form, indicator)
        db.session.add(indicator)
        db.session.commit()
        flash(_("Indicator %(name)s saved.", name=indicator.name), "success")
        return redirect(url_for("admin.indicators"))
    return render_template("admin/indicator_form.html", form=form, indicator=None if created else indicator)


@bp.route("/indicators/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def indicator_new():
    return _edit(Indicator(), created=True)


@bp.route("/indicators/<id:indicator_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def indicator_edit(indicator_id: int):
    return _edit(db.get_or_404(Indicator, indicator_id), created=False)
