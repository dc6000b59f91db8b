"""The liaison cadres' public cards (亮身份、亮承诺): who each cadre is, their pledge, how many
enterprises they serve, their visits by month and the average rating — never which enterprises.

Templates here receive :class:`~supervise.domain.pledge_figures.PublicCard` values only, already masked.
"""

from flask import abort, render_template
from sqlalchemy import select

from supervise import paging, params
from supervise.domain import pledge_figures
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import CadreCard, Unit
from supervise.public import bp
from supervise.web import public_page

PAGE_SIZE = 24


def _units_with_cards() -> list[Unit]:
    """The units that have a published card, for the filter."""
    used = select(CadreCard.unit_id).where(CadreCard.published.is_(True))
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(used)).order_by(Unit.sort, Unit.id)))


@bp.route("/cadres")
@public_page
def cadres():
    """The published cards, newest first, filtered by unit."""
    units = _units_with_cards()
    unit_id = params.id_arg("unit")
    if unit_id is not None and all(u.id != unit_id for u in units):
        unit_id = None
    page = paging.keyset_page(
        pledge_figures.published_cards(unit_id),
        (CadreCard.id,),
        per_page=PAGE_SIZE,
        endpoint=".cadres",
        args={"unit": unit_id},
    )
    year = now().year
    return render_template(
        "public/cadres.html",
        cards=pledge_figures.public_summary(page.items, year),
        page=page,
        units=units,
        unit_id=unit_id,
        year=year,
    )


@bp.route("/cadres/<id:user_id>")
@public_page
def cadre(user_id: int):
    """One cadre's public card."""
    year = now().year
    card = pledge_figures.public_card(user_id, year)
    if card is None:
        abort(404)
    return render_template("public/cadre.html", card=card, year=year, peak=max(card.months) or 1)
