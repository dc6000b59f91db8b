"""The JSON API for units' and supervisors' own systems: list, show and act on tickets.

Every request acts as the user of its token (``auth.api_user()``): lists are scoped with
``access.ticket_scope(user)``, a ticket is loaded with the same 404/403 as the web, and every change
goes through ``workflow.perform`` — the API can do nothing the web cannot.
"""

from datetime import datetime

from flask import jsonify
from flask_babel import lazy_gettext as _l
from sqlalchemy import not_, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from supervise import paging, web
from supervise.api import auth, bp, errors, openapi
from supervise.api.actions import ACTION_BODIES, body_schema
from supervise.api.errors import ApiError
from supervise.api.openapi import responses
from supervise.api.parsing import parser
from supervise.api.schemas import (
    CategoryListSchema,
    EventListSchema,
    MeSchema,
    TicketPageSchema,
    TicketQuerySchema,
    TicketSchema,
    UnitListSchema,
    request_time,
)
from supervise.domain import access, clocks, workflow
from supervise.extensions import db, limiter
from supervise.models import Category, Ticket, TicketEvent, Unit, User

TICKET_ID = "<id:ticket_id>"

errors.install(bp)
bp.before_request(auth.authenticate)
limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key)(bp)


# ---------------------------------------------------------------- loading


#: What a ticket's JSON shows, eager-loaded: a page of tickets in a few queries, no N+1.
EVERYTHING = (
    joinedload(Ticket.enterprise),
    joinedload(Ticket.category).joinedload(Category.parent),
    joinedload(Ticket.area),
    joinedload(Ticket.lead_unit),
    joinedload(Ticket.merged_into),
    selectinload(Ticket.co_units),
    selectinload(Ticket.extension_requests),
    selectinload(Ticket.supervision_orders),
)


def _visible_ticket(ticket_id: int, user: User) -> Ticket:
    """The ticket, if ``user`` may see it: 404 if none, 403 if not theirs (as on the web)."""
    return web.load_ticket(ticket_id, *EVERYTHING, user=user)


def _answers(*codes: int):
    """Document the errors an operation gives: those of every operation and ``codes``."""

    def decorator(func):
        for code, name in responses(*codes).items():
            func = bp.alt_response(code, name)(func)
        return func

    return decorator


# ---------------------------------------------------------------- endpoints


@bp.undocumented("/openapi.json", endpoint="openapi")
def openapi_document():
    """The OpenAPI 3.0 description of this API (no token needed)."""
    return jsonify(openapi.document())


@bp.route("/me", tags=["reference"])
@bp.doc(operationId="get_me")
@bp.response(200, MeSchema, description="The user the token acts as.")
@_answers()
def me():
    """The token's user"""
    return auth.api_user()


@bp.route("/units", tags=["reference"])
@bp.doc(operationId="list_units")
@bp.response(200, UnitListSchema, description="Every unit.")
@_answers()
def units():
    """Units"""
    return {"items": db.session.scalars(select(Unit).order_by(Unit.sort, Unit.id))}


@bp.route("/categories", tags=["reference"])
@bp.doc(operationId="list_categories")
@bp.response(200, CategoryListSchema, description="Every category and area.")
@_answers()
def categories():
    """Categories"""
    return {
        "items": db.session.scalars(
            select(Category).options(joinedload(Category.parent)).order_by(Category.sort, Category.id)
        ).unique()
    }


def _filters(query: dict, at: datetime) -> list:
    """The list's filters that were given."""
    found = []
    if "state" in query:
        found.append(Ticket.state == query["state"])
    if "unit_id" in query:
        found.append(Ticket.lead_unit_id == query["unit_id"])
    if "category_id" in query:  # a top-level area takes in its categories, as on the console
        area = query["category_id"]
        found.append(
            Ticket.category_id.in_(select(Category.id).where(or_(Category.id == area, Category.parent_id == area)))
        )
    if "overdue" in query:
        late = clocks.overdue_clause(at)
        found.append(late if query["overdue"] else not_(late))
    if "updated_since" in query:  # every change is an event on the timeline
        found.append(Ticket.id.in_(select(TicketEvent.ticket_id).where(TicketEvent.at >= query["updated_since"])))
    return found


@bp.route("/tickets", tags=["tickets"])
@bp.doc(operationId="list_tickets")
@bp.arguments(TicketQuerySchema, location="query", error_status_code=400)
@bp.response(200, TicketPageSchema, description="A page of tickets.")
@_answers(400)
def tickets(query: dict):
    """The user's tickets, newest first

    A unit sees the tickets it leads or co-handles; a supervisor sees all. Pages are keyset-paginated:
    pass `next` back as `after` until it is null.
    """
    user = auth.api_user()
    limit = query["limit"]
    select_ = select(Ticket).where(access.ticket_scope(user), *_filters(query, request_time())).options(*EVERYTHING)
    after = query.get("after")
    rows, cursor = paging.fetch(select_, (Ticket.id,), None if after is None else (after,), limit)
    return {"items": rows, "next": int(cursor) if cursor else None}


@bp.route(f"/tickets/{TICKET_ID}", tags=["tickets"])
@bp.doc(operationId="get_ticket")
@bp.response(200, TicketSchema, description="The ticket.")
@_answers(404)
def ticket(ticket_id: int):
    """One ticket"""
    return _visible_ticket(ticket_id, auth.api_user())


@bp.route(f"/tickets/{TICKET_ID}/events", tags=["tickets"])
@bp.doc(operationId="list_ticket_events")
@bp.response(200, EventListSchema, description="Every event, oldest first, internal ones included.")
@_answers(404)
def events(ticket_id: int):
    """A ticket's timeline"""
    ticket_ = _visible_ticket(ticket_id, auth.api_user())
    return {
        "items": db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_.id)
            .options(joinedload(TicketEvent.actor).joinedload(User.unit))
            .order_by(TicketEvent.id)
        ).unique()
    }


@bp.undocumented(f"/tickets/{TICKET_ID}/actions/<action>", methods=["POST"], endpoint="act")
def act(ticket_id: int, action: str):
    """Make ``action`` on the ticket through the state machine; answer with the ticket as it now is.

    409 when the ticket is not in a state for it or changed since ``version``; 403 when the user's
    part on the ticket does not allow it; 422 when the body has the wrong shape or the state machine
    refuses the data. Documented action by action in ``openapi.py``.
    """
    if action not in ACTION_BODIES:
        raise ApiError(404, _l("Unknown action."))
    user = auth.api_user()
    ticket_ = _visible_ticket(ticket_id, user)
    data = parser.parse(body_schema(action), location="json")
    version = data.pop("version", None)
    if not access.parties(user, ticket_) & workflow.TRANSITIONS[action].parties:
        raise errors.refused(workflow.NotAllowed())  # the user's part first: a 403 whatever the state
    try:
        workflow.perform(ticket_, action, user, expected_version=version, **data)
        db.session.commit()
    except workflow.TransitionError as err:
        db.session.rollback()
        raise errors.refused(err) from None
    except StaleDataError:
        db.session.rollback()
        raise errors.refused(workflow.Stale()) from None
    return jsonify(TicketSchema().dump(_visible_ticket(ticket_.id, user)))
