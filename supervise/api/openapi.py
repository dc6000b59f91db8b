"""The OpenAPI 3.0.3 document of the JSON API, served at /api/v1/openapi.json.

Written by hand; the actions' request bodies come from the transitions' declarations
(``workflow.describe``), the same declaration that checks requests, and the test suite fuzzes the API
against this document, so it stays true to what the API does.
"""

from typing import Any

from supervise.api.schemas import ACTION_BODIES, MAX_ID
from supervise.domain import workflow
from supervise.domain.workflow.fields import DATE_YEARS
from supervise.models import LimitClass, Outcome, Role, Source, State, UnitKind

STATES = [s.value for s in State]
API_ROLES = [Role.HANDLER.value, Role.LEADER.value, Role.SUPERVISOR.value]

# ---------------------------------------------------------------- building blocks


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _schema(type_: str, description: str | None = None, nullable: bool = False, **extra) -> dict:
    """A schema of ``type_``, with its description and nullability only when given."""
    schema: dict[str, Any] = {"type": type_, **extra}
    if description:
        schema["description"] = description
    if nullable:
        schema["nullable"] = True
    return schema


def _obj(properties: dict, description: str | None = None, nullable: bool = False) -> dict:
    """An object whose every property is always present (some may be null)."""
    return _schema("object", description, nullable, properties=properties, required=list(properties))


def _string(description: str | None = None, nullable: bool = False, **extra) -> dict:
    return _schema("string", description, nullable, **extra)


def _enum(values: list, description: str | None = None, nullable: bool = False) -> dict:
    return _string(description, nullable, enum=[*values, None] if nullable else list(values))


def _time(description: str | None = None, nullable: bool = True) -> dict:
    return _string(description, nullable, format="date-time")


def _int(description: str | None = None, nullable: bool = False, **extra) -> dict:
    return _schema("integer", description, nullable, **extra)


def _unit_ref(nullable: bool = False, description: str | None = None) -> dict:
    return _obj({"id": _int(), "name": _string()}, description, nullable)


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _responses(ok: dict, *codes: int) -> dict:
    responses = {"200": ok, "401": {"$ref": "#/components/responses/Unauthorized"},
                 "403": {"$ref": "#/components/responses/Forbidden"},
                 "429": {"$ref": "#/components/responses/TooManyRequests"}}
    named = {400: "BadRequest", 404: "NotFound", 409: "Conflict", 422: "Unprocessable"}
    for code in codes:
        responses[str(code)] = {"$ref": f"#/components/responses/{named[code]}"}
    return dict(sorted(responses.items()))


# ---------------------------------------------------------------- resources

TICKET = _obj({
    "id": _int(),
    "tracking_no": _string("The number the enterprise and the public know the ticket by.", nullable=True),
    "version": _int("Send it back as `version` with an action to refuse it if someone changed the ticket since."),
    "state": _enum(STATES),
    "source": _enum([s.value for s in Source]),
    "title": _string(),
    "description": _string(),
    "answers": {"type": "object", "nullable": True, "additionalProperties": True,
                "description": "The category's intake questions, answered."},
    "category": _obj({"id": _int(), "name": _string(), "full_name": _string()}),
    "area": _obj({"id": _int(), "name": _string()}, nullable=True),
    "lead_unit": _unit_ref(nullable=True),
    "co_units": {"type": "array", "items": _unit_ref()},
    "enterprise": _obj({"id": _int(), "name": _string(), "credit_code": _string(), "industry": _string()}),
    "contact": _obj({"name": _string(), "mobile": _string(), "email": _string(nullable=True)}),
    "publish_consent": {"type": "boolean"},
    "limit_class": _enum([c.value for c in LimitClass]),
    "handle_days": _int("Working days to handle."),
    "created_at": _time(nullable=False),
    "accepted_at": _time(), "dispatched_at": _time(), "signed_at": _time(), "replied_at": _time(),
    "approved_at": _time("When the supervisor sent the reply to the enterprise."), "closed_at": _time(),
    "paused_at": _time("Since when the handling clock is paused for material."),
    "accept_due": _time(), "sign_due": _time(), "handle_due": _time(), "rate_due": _time(),
    "overdue": {"type": "boolean", "description": "Late now on a running handling clock."},
    "overdue_at": _time("Set once, when the ticket first became overdue."),
    "warning": _enum(["yellow", "orange", "red"], "The warning colour of the clock now running.", nullable=True),
    "decline_reason": _string(nullable=True),
    "merged_into": _string("Tracking number of the ticket this one was merged into.", nullable=True),
    "reply_outcome": _enum([o.value for o in Outcome], nullable=True),
    "reply_text": _string(nullable=True),
    "rating": _int("5 very satisfied … 1 very dissatisfied.", nullable=True, minimum=1, maximum=5),
    "rating_solved": {"type": "boolean", "nullable": True},
    "rating_comment": _string(nullable=True),
    "rated_at": _time(),
    "reopen_count": _int(), "return_count": _int(), "extension_count": _int(),
    "published_at": _time(), "public_title": _string(nullable=True), "public_summary": _string(nullable=True),
    "public_reply": _string(nullable=True), "result_published_at": _time(),
    "pending_extension": _obj({"id": _int(), "requested_due": _string(format="date"), "reason": _string(),
                               "created_at": _time(nullable=False)}, nullable=True),
    "open_orders": {"type": "array", "description": "Supervision orders waiting for the unit's answer.",
                    "items": _obj({"id": _int(), "level": _enum(list(workflow.ORDER_LEVELS)),
                                   "deadline": _string(format="date"), "note": _string(),
                                   "issued_at": _time(nullable=False)})},
    "actions": {"type": "array", "items": _enum(list(ACTION_BODIES)),
                "description": "The actions this user may try on the ticket now (the data may still be refused)."},
}, "A ticket as units and supervisors see it, the enterprise and its contact included.")

EVENT = _obj({
    "id": _int(),
    "at": _time(nullable=False),
    "action": _string("An action of the state machine, `submit`, `merged_from` or `alert_<kind>`."),
    "label": _string(),
    "actor": _obj({"id": _int(), "name": _string(), "role": _string(), "unit": _unit_ref(nullable=True)},
                  "None: the system.", nullable=True),
    "from_state": _enum(STATES, nullable=True),
    "to_state": _enum(STATES, nullable=True),
    "note": _string(),
    "public": {"type": "boolean", "description": "Shown to the enterprise and on the public page."},
    "data": {"type": "object", "nullable": True, "additionalProperties": True},
}, "One step on a ticket's timeline.")

UNIT = _obj({
    "id": _int(), "name": _string(), "short_name": _string(nullable=True),
    "kind": _enum([k.value for k in UnitKind]), "parent_id": _int(nullable=True), "active": {"type": "boolean"},
    "handles_tickets": {"type": "boolean", "description": "May be given as `unit_id` to accept or dispatch."},
})

CATEGORY = _obj({
    "id": _int(), "name": _string(), "full_name": _string(),
    "parent_id": _int("None for a top-level area.", nullable=True),
    "limit_class": _enum([c.value for c in LimitClass]), "default_lead_unit_id": _int(nullable=True),
    "active": {"type": "boolean"},
})

ME = _obj({
    "id": _int(), "username": _string(), "name": _string(), "role": _enum(API_ROLES),
    "unit": _unit_ref(nullable=True),
    "token": _obj({"id": _int(), "name": _string(), "prefix": _string(), "created_at": _time(nullable=False)}),
})

ERROR = _obj({"error": _obj({
    "code": _string("Stable, for programs: bad_request, unauthorized, forbidden, not_found, "
                    "method_not_allowed, conflict, stale, refused, invalid, unprocessable, too_many_requests …"),
    "message": _string("For people."),
})})


def _action_body(action: str) -> dict:
    schema = workflow.describe(action)
    schema["properties"]["version"] = _int("The ticket's `version` as you last read it: the action is refused "
                                           "(409) if the ticket changed since.", minimum=1, maximum=MAX_ID)
    return schema


def _schema_name(action: str) -> str:
    return "".join(part.capitalize() for part in action.split("_")) + "Data"


def _who(action: str) -> str:
    parties = workflow.TRANSITIONS[action].parties
    names = [label for party, label in (("unit", "the lead unit"), ("co_unit", "a co-handling unit"),
                                        ("supervisor", "a supervisor")) if party in parties]
    return " or ".join(names)


def _action_path(action: str) -> dict:
    spec = workflow.TRANSITIONS[action]
    sources = ", ".join(sorted(s.value for s in spec.sources))
    return {"post": {
        "operationId": f"act_{action}",
        "tags": ["actions"],
        "summary": str(spec.label),
        "description": f"By {_who(action)}, on a ticket in: {sources}. Answers with the ticket as it now is.",
        "parameters": [{"$ref": "#/components/parameters/TicketId"}],
        "requestBody": {"required": any(p.required for p in ACTION_BODIES[action]),
                        "content": {"application/json": {"schema": _ref(_schema_name(action))}}},
        "responses": _responses(_ok("Ticket", "Done; the ticket as it now is."), 400, 404, 409, 422),
    }}


# ---------------------------------------------------------------- the document


def document() -> dict:
    """The OpenAPI 3.0.3 document."""
    paths: dict[str, Any] = {
        "/me": {"get": {"operationId": "get_me", "tags": ["reference"], "summary": "The token's user",
                        "responses": _responses(_ok("Me", "The user the token acts as."))}},
        "/units": {"get": {"operationId": "list_units", "tags": ["reference"], "summary": "Units",
                           "responses": _responses(_ok("UnitList", "Every unit."))}},
        "/categories": {"get": {"operationId": "list_categories", "tags": ["reference"], "summary": "Categories",
                                "responses": _responses(_ok("CategoryList", "Every category and area."))}},
        "/tickets": {"get": {
            "operationId": "list_tickets", "tags": ["tickets"], "summary": "The user's tickets, newest first",
            "description": "A unit sees the tickets it leads or co-handles; a supervisor sees all. Pages are "
                           "keyset-paginated: pass `next` back as `after` until it is null.",
            "parameters": [
                {"name": "state", "in": "query", "schema": _enum(STATES)},
                {"name": "unit_id", "in": "query", "description": "The lead unit.",
                 "schema": _int(minimum=1, maximum=MAX_ID)},
                {"name": "category_id", "in": "query", "description": "A category, or an area and its categories.",
                 "schema": _int(minimum=1, maximum=MAX_ID)},
                {"name": "overdue", "in": "query", "description": "Late (or not) on a running handling clock now.",
                 "schema": {"type": "boolean"}},
                {"name": "updated_since", "in": "query",
                 "description": "Only tickets with a timeline event at or after this time.",
                 "schema": _string(format="date-time")},
                {"name": "after", "in": "query", "description": "The `next` of the previous page.",
                 "schema": _int(minimum=1, maximum=MAX_ID)},
                {"name": "limit", "in": "query", "schema": _int(minimum=1, maximum=100, default=25)},
            ],
            "responses": _responses(_ok("TicketList", "A page of tickets."), 400),
        }},
        "/tickets/{id}": {"get": {
            "operationId": "get_ticket", "tags": ["tickets"], "summary": "One ticket",
            "parameters": [{"$ref": "#/components/parameters/TicketId"}],
            "responses": _responses(_ok("Ticket", "The ticket."), 404),
        }},
        "/tickets/{id}/events": {"get": {
            "operationId": "list_ticket_events", "tags": ["tickets"], "summary": "A ticket's timeline",
            "parameters": [{"$ref": "#/components/parameters/TicketId"}],
            "responses": _responses(_ok("EventList", "Every event, oldest first, internal ones included."), 404),
        }},
    }
    for action in ACTION_BODIES:
        paths[f"/tickets/{{id}}/actions/{action}"] = _action_path(action)

    schemas: dict[str, Any] = {
        "Ticket": TICKET,
        "TicketList": _obj({"items": {"type": "array", "items": _ref("Ticket")},
                            "next": _int("Pass as `after` for the next page; null on the last.", nullable=True)}),
        "Event": EVENT,
        "EventList": _obj({"items": {"type": "array", "items": _ref("Event")}}),
        "Unit": UNIT,
        "UnitList": _obj({"items": {"type": "array", "items": _ref("Unit")}}),
        "Category": CATEGORY,
        "CategoryList": _obj({"items": {"type": "array", "items": _ref("Category")}}),
        "Me": ME,
        "Error": ERROR,
    }
    for action in ACTION_BODIES:
        schemas[_schema_name(action)] = _action_body(action)

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Business Environment Supervision Platform — staff API",
            "version": "1.0.0",
            "description": (
                "For units and supervisors working from their own systems. Each request acts as the user "
                "of its personal API token (created on the platform's API tokens page) and can do exactly "
                "what that user can do on the web: the same ticket scope and the same state machine. "
                "Send the token as `Authorization: Bearer <token>`. Times are ISO 8601 in the zone's time; "
                f"dates YYYY-MM-DD (years {DATE_YEARS[0]}–{DATE_YEARS[1]} accepted). Errors are "
                "`{\"error\": {\"code\": ..., \"message\": ...}}`."),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "tickets"}, {"name": "actions"}, {"name": "reference"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token."}},
            "parameters": {"TicketId": {"name": "id", "in": "path", "required": True,
                                        "schema": _int(minimum=1, maximum=MAX_ID)}},
            "responses": {
                "BadRequest": _error("A malformed parameter or body."),
                "Unauthorized": {**_error("No token, or an unknown or revoked one."),
                                 "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
                "Forbidden": _error("The token's user may not do this (or use the API at all)."),
                "NotFound": _error("No such ticket or action."),
                "Conflict": _error("The ticket is not in a state for this action (`conflict`), or changed "
                                   "since the `version` sent (`stale`)."),
                "Unprocessable": _error("The data has the wrong shape (`invalid`), or the state machine refused "
                                        "it (`refused`): something required is missing or not allowed now."),
                "TooManyRequests": _error("Too many requests with this token; wait a minute."),
            },
            "schemas": schemas,
        },
    }
