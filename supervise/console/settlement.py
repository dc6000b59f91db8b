"""The quarter's settlement in the console: preview the scores, keep the scheme's weights, enter the
site tour's scores, settle, adjust with a reason, and download the notice."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from supervise.console import bp
from supervise.console.settlement_forms import AdjustmentForm, SettleForm, SiteTourForm, weights_form
from supervise.domain import settlement
from supervise.domain.clock import now
from supervise.domain.measures.periods import Period, parse_period
from supervise.domain.settlement import notice
from supervise.domain.settlement.figures import FIGURES
from supervise.extensions import db
from supervise.models import Role, Scorecard, SiteTourScore, Unit
from supervise.web import roles_required

QUARTERS_LISTED = 8
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _quarter(value: str) -> Period:
    period = parse_period(value)
    if period is None or period.kind != "quarter":
        abort(404)
    return period


def _back(period: Period, anchor: str | None = None):
    return redirect(url_for(".quarter", value=period.value, _anchor=anchor))


@bp.route("/quarters")
@roles_required(Role.SUPERVISOR)
def quarters():
    """The current quarter and the ones before it, each previewed or settled."""
    latest = Period.containing(now().date())
    periods = [latest.shift(-i) for i in range(QUARTERS_LISTED)]
    settled = {
        (s.year, s.quarter): s
        for s in db.session.scalars(select(settlement.Settlement).where(settlement.Settlement.year >= periods[-1].year))
    }
    rows = [(p, settled.get((p.year, p.number))) for p in periods]
    return render_template("console/quarters.html", rows=rows, today=now())


def _site_tour_form() -> SiteTourForm:
    form = SiteTourForm(prefix="tour")
    units = db.session.execute(select(Unit.id, Unit.name).where(Unit.handles_tickets).order_by(Unit.sort, Unit.id))
    form.unit_id.choices = [SelectChoice(0, _("— choose —")), *(SelectChoice(i, name) for i, name in units)]
    return form


def _adjustment_form(card: Scorecard, submitted: bool = False) -> AdjustmentForm:
    """Each scorecard's form has its own prefix, so that a page of them has no two fields alike."""
    if submitted:
        return AdjustmentForm(prefix=f"adjust-{card.id}")
    return AdjustmentForm(prefix=f"adjust-{card.id}", formdata=None)


def _page(period: Period, forms: dict | None = None, status: int = 200):
    done = settlement.settlement_of(period)
    scheme = settlement.current_scheme(period)
    weights = settlement.weights_of(scheme)
    forms = forms or {}
    tour = db.session.scalars(
        select(SiteTourScore)
        .where(SiteTourScore.year == period.year, SiteTourScore.quarter == period.number)
        .order_by(SiteTourScore.unit_id, SiteTourScore.site)
    ).all()
    page = render_template(
        "console/quarter.html",
        period=period,
        settled=done,
        scheme=scheme,
        weights=weights,
        figures=FIGURES,
        cards=None if done else settlement.preview(period, weights),
        over=settlement.quarter_over(period, now()),
        scheme_form=forms.get("scheme") or weights_form(weights, formdata=None),
        tour_form=forms.get("tour") or _site_tour_form(),
        tour=tour,
        adjust_form_for=lambda card: forms.get(card.id) or _adjustment_form(card),
        adjust_failed=next((key for key in forms if isinstance(key, int)), None),
        settle_form=SettleForm(),
        notice=notice,
    )
    return page, status


@bp.route("/quarters/<value>")
@roles_required(Role.SUPERVISOR)
def quarter(value: str):
    return _page(_quarter(value))


@bp.route("/quarters/<value>/scheme", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def quarter_scheme(value: str):
    period = _quarter(value)
    form = weights_form({}, formdata=request.form)
    if not form.validate():
        return _page(period, {"scheme": form}, 400)
    weights = {key: getattr(form, f"w_{key}").data for key in FIGURES}
    try:
        scheme = settlement.save_scheme(period, weights, form.note.data or "", current_user, now())
    except settlement.SettlementError as err:
        flash(str(err), "danger")
        return _back(period)
    db.session.commit()
    flash(_("Scheme version %(v)d saved: the preview uses it.", v=scheme.version), "success")
    return _back(period, "scheme")


@bp.route("/quarters/<value>/site-tour", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def quarter_site_tour(value: str):
    period = _quarter(value)
    form = _site_tour_form()
    if settlement.settlement_of(period) is not None:
        flash(_("This quarter is settled: its site tour can no longer change."), "danger")
        return _back(period)
    if not form.validate_on_submit() or db.session.get(Unit, form.unit_id.data) is None:
        return _page(period, {"tour": form}, 400)
    db.session.add(
        SiteTourScore(
            year=period.year,
            quarter=period.number,
            unit_id=form.unit_id.data,
            site=form.site.data.strip(),
            score=form.score.data,
            note=(form.note.data or "").strip(),
            entered_by_id=current_user.id,
            entered_at=now(),
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.site.errors = [_("This unit's score for this site is already entered.")]
        return _page(period, {"tour": form}, 400)
    flash(_("The site tour score is entered."), "success")
    return _back(period, "site-tour")


@bp.route("/quarters/<value>/settle", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def quarter_settle(value: str):
    period = _quarter(value)
    if not SettleForm().validate_on_submit():
        abort(400)
    try:
        settlement.settle(period, current_user, now())
        db.session.commit()
    except settlement.SettlementError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _back(period)
    except IntegrityError:  # settled at the same moment by someone else: theirs stands
        db.session.rollback()
        flash(_("This quarter is already settled."), "danger")
        return _back(period)
    flash(_("%(q)s is settled: its scores and ranking are frozen.", q=period.label), "success")
    return _back(period)


@bp.route("/quarters/<value>/scorecards/<id:scorecard_id>/adjust", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def quarter_adjust(value: str, scorecard_id: int):
    period = _quarter(value)
    card = db.session.scalar(
        select(Scorecard)
        .join(settlement.Settlement)
        .where(
            Scorecard.id == scorecard_id,
            settlement.Settlement.year == period.year,
            settlement.Settlement.quarter == period.number,
        )
    )
    if card is None:
        abort(404)
    form = _adjustment_form(card, submitted=True)
    if not form.validate_on_submit():
        return _page(period, {card.id: form}, 400)
    try:
        settlement.adjust(card, form.points.data, form.reason.data, current_user, now())
    except settlement.SettlementError as err:
        form.points.errors = [str(err)]
        return _page(period, {card.id: form}, 400)
    db.session.commit()
    flash(_("The adjustment of %(unit)s is recorded.", unit=card.unit_name), "success")
    return _back(period, f"card-{card.id}")


@bp.route("/quarters/<value>/notice.<any(docx, xlsx):fmt>")
@roles_required(Role.SUPERVISOR)
def quarter_notice(value: str, fmt: str):
    period = _quarter(value)
    done = settlement.settlement_of(period)
    if done is None:
        abort(404)
    body = notice.docx_bytes(done, now()) if fmt == "docx" else notice.xlsx_bytes(done)
    name = f"settlement-{period.value}.{fmt}"
    return Response(
        body,
        mimetype=DOCX if fmt == "docx" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
    )
