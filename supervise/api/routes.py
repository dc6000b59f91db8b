"""The JSON API for units' and supervisors' own systems: list, show and act on tickets.

Every request acts as the user of its token (``auth.api_user()``): lists are scoped with
``access.ticket_scope(user)``, a ticket is loaded with the same 404/403 as the web, and every change
goes through ``workflow.perform`` — the API can do nothing the web cannot.
"""

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import not_, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from supervise import paging, params, web
from supervise.api import auth, bp, errors, openapi, schemas
from supervise.api.errors import ApiError
from supervise.domain import access, clocks, workflow
from supervise.domain.clock import now
from supervise.extensions import db, limiter
from supervise.models import Category, State, Ticket, TicketEvent, Unit, User

PAGE_SIZE = 25
PAGE_SIZE_MAX = 100
TICKET_ID = "<id:ticket_id>"

errors.install(bp)
bp.before_request(auth.authenticate)
limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key)(bp)


# ---------------------------------------------------------------- reading query parameters


def _int_arg(name: str, minimum: int, maximum: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    number = params.parse_int(raw, minimum, maximum)
    if number is None:
        raise ApiError(400, f"{name} must be an integer from {minimum} to {maximum}.")
    return number


def _bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("true", "false"):
        raise ApiError(400, f"{name} must be true or false.")
    return raw.lower() == "true"


_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?)?\Z",
                       re.ASCII)


def _datetime_arg(name: str) -> datetime | None:
    """An RFC 3339 date-time (or a date) as the zone's naive local time, as times are stored."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    match = _DATETIME.match(raw)
    problem = ApiError(400, f"{name} must be a date-time such as 2026-05-01T09:00:00+08:00.")
    if not match:
        raise problem
    year, month, day, hour, minute, second, _fraction, offset = match.groups()
    try:
        # A leap second (:60) counts as the last second of its minute.
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                         min(int(second or 0), 59))
    except ValueError:
        raise problem from None
    if not offset:
        return value
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    if offset in ("Z", "z"):
        delta = timedelta(0)
    else:
        sign = -1 if offset[0] == "-" else 1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise problem
        delta = sign * timedelta(hours=hours, minutes=minutes)
    try:
        return value.replace(tzinfo=timezone(delta)).astimezone(zone).replace(tzinfo=None)
    except (OverflowError, ValueError):  # at the ends of the calendar: earlier or later than anything stored
        return datetime.max if int(year) > 1 else datetime.min


# ---------------------------------------------------------------- loading


#: What a ticket's JSON shows, eager-loaded: a page of tickets in a few queries, no N+1.
EVERYTHING = (
    joinedload(Ticket.enterprise), joinedload(Ticket.category).joinedload(Category.parent),
    joinedload(Ticket.area), joinedload(Ticket.lead_unit), joinedload(Ticket.merged_into),
    selectinload(Ticket.co_units), selectinload(Ticket.extension_requests),
    selectinload(Ticket.supervision_orders))


def _visible_ticket(ticket_id: int, user: User) -> Ticket:
    """The ticket, if ``user`` may see it: 404 if none, 403 if not theirs (as on the web)."""
    return web.load_ticket(ticket_id, *EVERYTHING, user=user)


def _json_body() -> object:
    if not request.get_data():
        return {}
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:  # nested too deep for the decoder
        body = None
    if body is None:
        raise ApiError(400, _l("The request body must be a JSON object."))
    return body


# ---------------------------------------------------------------- endpoints


@bp.get("/openapi.json", endpoint="openapi")
def openapi_document():
    """The OpenAPI 3.0 description of this API (no token needed)."""
    return jsonify(openapi.document())


@bp.get("/me")
def me():
    return jsonify(schemas.me(auth.api_user(), auth.api_token()))


@bp.get("/units")
def units():
    rows = db.session.scalars(select(Unit).order_by(Unit.sort, Unit.id))
    return jsonify({"items": [schemas.unit(u) for u in rows]})


@bp.get("/categories")
def categories():
    rows = db.session.scalars(select(Category).options(joinedload(Category.parent))
                              .order_by(Category.sort, Category.id)).unique()
    return jsonify({"items": [schemas.category(c) for c in rows]})


def _filters(at: datetime) -> list:
    """The list's filters that were given; 400 for one that is malformed."""
    found = []
    state = request.args.get("state")
    if state:
        if state not in {s.value for s in State}:
            raise ApiError(400, "state must be one of " + ", ".join(s.value for s in State) + ".")
        found.append(Ticket.state == State(state))
    unit_id = _int_arg("unit_id", 1, schemas.MAX_ID)
    if unit_id is not None:
        found.append(Ticket.lead_unit_id == unit_id)
    category_id = _int_arg("category_id", 1, schemas.MAX_ID)
    if category_id is not None:  # a top-level area takes in its categories, as on the console
        under = select(Category.id).where(or_(Category.id == category_id, Category.parent_id == category_id))
        found.append(Ticket.category_id.in_(under))
    overdue = _bool_arg("overdue")
    if overdue is not None:
        late = clocks.overdue_clause(at)
        found.append(late if overdue else not_(late))
    since = _datetime_arg("updated_since")
    if since is not None:  # every change is an event on the timeline
        found.append(Ticket.id.in_(select(TicketEvent.ticket_id).where(TicketEvent.at >= since)))
    return found


@bp.get("/tickets")
def tickets():
    """The user's tickets, newest first, ``limit`` a page; ``next`` is the ``after`` of the next page."""
    user = auth.api_user()
    at = now()
    limit = _int_arg("limit", 1, PAGE_SIZE_MAX) or PAGE_SIZE
    after = _int_arg("after", 1, schemas.MAX_ID)
    query = select(Ticket).where(access.ticket_scope(user), *_filters(at)).options(*EVERYTHING)
    rows, cursor = paging.fetch(query, (Ticket.id,), None if after is None else (after,), limit)
    return jsonify({"items": [schemas.ticket(t, user, at) for t in rows], "next": int(cursor) if cursor else None})


@bp.get(f"/tickets/{TICKET_ID}")
def ticket(ticket_id: int):
    user = auth.api_user()
    return jsonify(schemas.ticket(_visible_ticket(ticket_id, user), user, now()))


@bp.get(f"/tickets/{TICKET_ID}/events")
def events(ticket_id: int):
    """The whole timeline: units and supervisors see every event, internal ones included."""
    ticket_ = _visible_ticket(ticket_id, auth.api_user())
    rows = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_.id)
                              .options(joinedload(TicketEvent.actor).joinedload(User.unit))
                              .order_by(TicketEvent.id)).unique()
    return jsonify({"items": [schemas.event(e) for e in rows]})


@bp.post(f"/tickets/{TICKET_ID}/actions/<action>")
def act(ticket_id: int, action: str):
    """Make ``action`` on the ticket through the state machine; answer with the ticket as it now is.

    409 when the ticket is not in a state for it or changed since ``version``; 403 when the user's
    part on the ticket does not allow it; 422 when the state machine refuses the data.
    """
    if action not in schemas.ACTION_BODIES:
        raise ApiError(404, _l("Unknown action."))
    user = auth.api_user()
    ticket_ = _visible_ticket(ticket_id, user)
    version, data = schemas.parse_action_body(action, _json_body())
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
    return jsonify(schemas.ticket(_visible_ticket(ticket_.id, user), user, now()))
