"""Atom feeds (RFC 4287) of newly published problems and results: overall, per lead unit and per
category (a top-level area includes its categories).

Entries are built from :class:`~supervise.domain.disclosure.PublicTicket` only, like the public pages:
the masked public title, summary and reply, never the ticket's own texts.
"""

import re
import xml.etree.ElementTree as ET
from datetime import datetime

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from supervise.domain import disclosure
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.domain.disclosure import PublicFilters, PublicTicket
from supervise.extensions import db
from supervise.links import external_url
from supervise.models import Category, Ticket, Unit
from supervise.public import bp
from supervise.times import iso
from supervise.web import public_page

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
KINDS = "any(problems, results)"
# Characters XML 1.0 does not allow, even escaped (a pasted control character must not break a feed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _query(kind: str, filters: PublicFilters) -> Select:
    """The latest published problems (or results) matching ``filters``, newest first, on the indexed order."""
    query = disclosure.published_query(filters)
    if kind == "results":
        query = query.where(Ticket.result_published_at.is_not(None)).order_by(
            Ticket.result_published_at.desc(), Ticket.id.desc()
        )
    else:
        query = query.order_by(Ticket.published_at.desc(), Ticket.id.desc())
    return query.limit(ENTRIES).options(
        selectinload(Ticket.category).selectinload(Category.parent),
        selectinload(Ticket.lead_unit),
        selectinload(Ticket.enterprise),
        selectinload(Ticket.area),
        selectinload(Ticket.redaction_terms),
        selectinload(Ticket.co_units),
    )


def _add(parent: ET.Element, tag: str, value: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _NOT_XML.sub("", v) for k, v in attributes.items()})
    if value is not None:
        element.text = _NOT_XML.sub("", value)
    return element


def _entry(feed: ET.Element, kind: str, item: PublicTicket, updated: datetime) -> None:
    page = external_url(
        "public.ticket", tracking_no=item.tracking_no, _anchor="result-title" if kind == "results" else None
    )
    entry = _add(feed, "entry")
    _add(entry, "id", page)
    _add(entry, "title", item.title, type="text")
    _add(entry, "updated", iso(updated))
    _add(entry, "published", iso(updated))
    _add(entry, "link", rel="alternate", type="text/html", href=page)
    _add(entry, "category", term=item.category)
    _add(entry, "summary", item.reply if kind == "results" else item.summary, type="text")


def render(kind: str, title: str, self_url: str, page_url: str, tickets: list[Ticket]) -> bytes:
    """An Atom document of ``tickets`` (already newest first)."""
    cal, at = load_calendar(), now()
    items = [
        (
            disclosure.public_view(t, cal, at, with_events=False),
            t.result_published_at if kind == "results" else t.published_at,
        )
        for t in tickets
    ]
    feed = ET.Element("feed", {"xmlns": ATOM})
    _add(feed, "id", self_url)
    _add(feed, "title", title, type="text")
    _add(
        feed,
        "subtitle",
        _(
            "Problems enterprises reported and how they were handled, published with their "
            "consent and without their names."
        ),
        type="text",
    )
    _add(feed, "updated", iso(max((u for _i, u in items), default=at)))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = _add(feed, "author")
    _add(author, "name", _("Business Environment Supervision Platform"))
    _add(feed, "generator", "supervise")
    for item, updated in items:
        _entry(feed, kind, item, updated)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _titles(kind: str, scope: str | None) -> str:
    if kind == "results":
        return _("Published results: %(scope)s", scope=scope) if scope else _("Published results")
    return _("Published problems: %(scope)s", scope=scope) if scope else _("Published problems")


@bp.route(f"/feeds/<{KINDS}:kind>.atom")
@bp.route(f"/feeds/units/<id:unit_id>/<{KINDS}:kind>.atom")
@bp.route(f"/feeds/categories/<id:category_id>/<{KINDS}:kind>.atom")
@public_page
def feed(kind: str, unit_id: int | None = None, category_id: int | None = None):
    """The latest published problems or results, overall, of one lead unit or of one category."""
    scope = None
    if unit_id is not None:
        scope = db.get_or_404(Unit, unit_id).name
    if category_id is not None:
        scope = db.get_or_404(Category, category_id).full_name
    filters = PublicFilters(unit_id=unit_id, category_id=category_id)
    tickets = list(db.session.scalars(_query(kind, filters)))
    page_url = external_url("public.tickets", unit=unit_id, category=category_id)
    self_url = external_url("public.feed", kind=kind, unit_id=unit_id, category_id=category_id)
    body = render(kind, _titles(kind, scope), self_url, page_url, tickets)
    return Response(body, content_type="application/atom+xml; charset=utf-8")
