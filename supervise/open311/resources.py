"""What Open311 clients see: our categories as services, and tickets as service requests.

A service request shows public fields only. A published ticket shows its moderated, redacted texts
(through :func:`supervise.domain.disclosure.public_view`); a ticket not yet published shows only its
id, status, category, dates, responsible unit and due date. No enterprise name, credit code, contact,
e-mail or phone ever appears here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from supervise.domain import disclosure, routing
from supervise.domain.calendar import load_calendar
from supervise.domain.clocks import BEFORE_DISPATCH, FINAL_STATES
from supervise.extensions import db
from supervise.models import Area, Category, State, Ticket, TicketEvent, Unit
from supervise.params import parse_id
from supervise.times import iso

# Our twelve states as the extended status clients may show; status itself is open or closed.
# A unit's return is internal (the enterprise does not see it either): to the public the ticket is
# still assigned while the supervisor decides.
STATUS_EXTENDED: dict[State, str] = {
    State.SUBMITTED: "received",
    State.AWAITING_DISPATCH: "accepted",
    State.DISPATCHED: "assigned",
    State.RETURNED: "assigned",
    State.IN_PROGRESS: "in_progress",
    State.AWAITING_MATERIAL: "waiting_for_information",
    State.REPLIED: "in_review",
    State.AWAITING_RATING: "resolved_awaiting_feedback",
    State.RATING_REVIEW: "reopened_review",
    State.CLOSED: "closed",
    State.DECLINED: "declined",
    State.MERGED: "duplicate",
    State.FORWARDED: "forwarded",
}

# The fields of a request that is not yet published: nothing written by or about the enterprise.
UNPUBLISHED_FIELDS = (
    "service_request_id",
    "status",
    "status_extended",
    "service_code",
    "service_name",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
)
MAX_REQUESTS = 1000  # the spec's default query limit


def status_of(state: State) -> str:
    return "closed" if state in FINAL_STATES else "open"


# ---------------------------------------------------------------- services


def offered_categories() -> list[Category]:
    """The active concrete categories under active areas, in display order."""
    parent = aliased(Category)
    return list(
        db.session.scalars(
            select(Category)
            .join(parent, Category.parent_id == parent.id)
            .where(Category.active, parent.active)
            .options(selectinload(Category.parent))
            .order_by(parent.sort, parent.id, Category.sort, Category.id)
        )
    )


def offered_category(service_code: str) -> Category | None:
    """The category a service code names, if it is offered."""
    ident = parse_id((service_code or "").strip())
    if ident is None:
        return None
    category = db.session.get(Category, ident, options=[joinedload(Category.parent)])
    if category is None or category.is_area or not category.active or not category.parent.active:
        return None
    return category


def service(category: Category) -> dict:
    return {
        "service_code": str(category.id),
        "service_name": category.name,
        "description": category.description or "",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([category.name, category.parent.name])),
        "group": category.parent.name,
    }


def question_code(index: int) -> str:
    """The attribute code of the category's ``index``-th intake question (0-based): q1, q2, …"""
    return f"q{index + 1}"


def service_definition(category: Category) -> dict:
    """The attributes a request for ``category`` carries: who complains, where, and the intake questions."""
    areas = db.session.scalars(select(Area).where(Area.active).order_by(Area.sort, Area.id))
    attributes = [
        _attribute(
            "credit_code",
            1,
            True,
            _("The unified social credit code of the company that complains: 18 characters."),
            _("18 characters"),
        ),
        _attribute(
            "company_name",
            2,
            True,
            _(
                "The company's registered name (used to register a company "
                "the platform does not know yet; never published)."
            ),
        ),
        _attribute(
            "area",
            3,
            False,
            _("The street, town or park of the zone the problem concerns."),
            datatype="singlevaluelist",
            values=[{"key": str(a.id), "name": a.name} for a in areas],
        ),
        _attribute(
            "client_request_id",
            4,
            False,
            _("Your own identifier for this request: sending the same one again files nothing new."),
        ),
    ]
    for i, question in enumerate(category.questions):
        attributes.append(_attribute(question_code(i), 5 + i, False, question))
    return {"service_code": str(category.id), "attributes": attributes}


def _attribute(
    code: str,
    order: int,
    required: bool,
    description: str,
    datatype_description: str | None = None,
    datatype: str = "string",
    values: list[dict] | None = None,
) -> dict:
    attribute = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": datatype_description,
        "order": order,
        "description": description,
    }
    if values is not None:
        attribute["values"] = values
    return attribute


# ---------------------------------------------------------------- requests


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' filters; ``tracking_nos`` overrides all the others (as the spec says)."""

    start: datetime
    end: datetime
    tracking_nos: tuple[str, ...] = ()
    category_ids: tuple[int, ...] = ()
    statuses: frozenset[str] = frozenset()


def find_requests(query: RequestQuery) -> list[Ticket]:
    """At most :data:`MAX_REQUESTS` tickets matching ``query``, newest first."""
    stmt = select(Ticket).where(Ticket.tracking_no.is_not(None))
    if query.tracking_nos:
        stmt = stmt.where(Ticket.tracking_no.in_(query.tracking_nos))
    else:
        stmt = stmt.where(Ticket.created_at >= query.start, Ticket.created_at <= query.end)
        if query.category_ids:
            stmt = stmt.where(Ticket.category_id.in_(query.category_ids))
        if query.statuses == {"open"}:
            stmt = stmt.where(Ticket.state.not_in(FINAL_STATES))
        elif query.statuses == {"closed"}:
            stmt = stmt.where(Ticket.state.in_(FINAL_STATES))
    stmt = stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(MAX_REQUESTS)
    return _load(stmt)


def find_request(tracking_no: str) -> Ticket | None:
    rows = _load(select(Ticket).where(Ticket.tracking_no == (tracking_no or "").strip()))
    return rows[0] if rows else None


def _load(stmt) -> list[Ticket]:
    # Everything public_view reads, in a fixed number of queries whatever the number of tickets.
    return list(
        db.session.scalars(
            stmt.options(
                selectinload(Ticket.category).selectinload(Category.parent),
                selectinload(Ticket.lead_unit),
                selectinload(Ticket.area),
                selectinload(Ticket.co_units),
                selectinload(Ticket.enterprise),
                selectinload(Ticket.redaction_terms),
            )
        )
    )


def _last_public_events(ticket_ids: Iterable[int]) -> dict[int, datetime]:
    ids = list(ticket_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(TicketEvent.ticket_id, func.max(TicketEvent.at))
        .where(TicketEvent.ticket_id.in_(ids), TicketEvent.public.is_(True))
        .group_by(TicketEvent.ticket_id)
    )
    return dict(rows.all())


class _Agencies:
    """The responsible unit: the lead unit once dispatched, before that the one routing points to."""

    def __init__(self) -> None:
        self._routed: dict[tuple[int, int | None], Unit | None] = {}

    def __call__(self, ticket: Ticket) -> str | None:
        if ticket.lead_unit is not None:
            return ticket.lead_unit.name
        if ticket.state not in BEFORE_DISPATCH:
            return None
        key = (ticket.category_id, ticket.area_id)
        if key not in self._routed:  # few distinct (category, area) pairs wait for dispatch at once
            self._routed[key] = routing.resolve_lead_unit(ticket.category, ticket.area_id)
        unit = self._routed[key]
        return unit.name if unit is not None else None


def service_requests(tickets: list[Ticket], at: datetime) -> list[dict]:
    """The public representation of each ticket."""
    updated = _last_public_events(t.id for t in tickets)
    agency = _Agencies()
    cal = load_calendar()
    return [_service_request(t, updated.get(t.id), agency(t), cal, at) for t in tickets]


def _service_request(ticket: Ticket, last_public: datetime | None, agency: str | None, cal, at: datetime) -> dict:
    published = ticket.is_published
    public = disclosure.public_view(ticket, cal, at, with_events=False) if published else None
    updated = max(filter(None, [ticket.created_at, last_public, ticket.closed_at]))
    row = {  # in the spec's order
        "service_request_id": ticket.tracking_no,
        "status": status_of(ticket.state),
        "status_notes": (public.reply or None) if public else None,
        "service_name": ticket.category.name,
        "service_code": str(ticket.category_id),
        "description": public.summary if public else None,
        "agency_responsible": agency,
        "service_notice": _notice(public) if public else None,
        "requested_datetime": iso(ticket.created_at, "seconds"),
        "updated_datetime": iso(updated, "seconds"),
        "expected_datetime": iso(ticket.handle_due, "seconds"),
        "address": (public.area_name or None) if public else None,
        "media_url": None,
        "status_extended": STATUS_EXTENDED[ticket.state],
    }
    if not published:
        row = {key: value for key, value in row.items() if key in UNPUBLISHED_FIELDS}
    return row


def _notice(public: disclosure.PublicTicket) -> str | None:
    if public.overdue:
        return _("Overdue: the handling deadline was missed.")
    if public.on_time:
        return _("Handled within the deadline.")
    return None
