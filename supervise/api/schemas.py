"""One marshmallow schema per resource of the JSON API: the same class writes a resource out and
describes it in the OpenAPI document (``openapi.py``), so the two cannot drift apart.

Every property of a resource is always present, null where it has no value: :class:`Resource` marks
each field required, which the document states. What the actions accept is in ``actions.py``.
"""

from flask import g
from marshmallow import Schema, fields
from marshmallow.schema import SchemaMeta
from marshmallow.validate import OneOf

from supervise.api import auth
from supervise.api.actions import ACTION_BODIES
from supervise.api.fields import LocalTime, QueryBool, QueryInt, computed
from supervise.domain import clocks, timeline, workflow
from supervise.domain.clock import now
from supervise.models import LimitClass, Outcome, Rating, Role, Source, State, UnitKind

PAGE_SIZE = 25
PAGE_SIZE_MAX = 100
API_ROLES = [Role.HANDLER.value, Role.LEADER.value, Role.SUPERVISOR.value]
WARNINGS = ["yellow", "orange", "red"]


def request_time():
    """The one "now" of this request: a page's filters and each ticket's clocks agree."""
    if "api_at" not in g:
        g.api_at = now()
    return g.api_at


class _AlwaysPresent(SchemaMeta):
    def __new__(mcs, name, bases, attrs):
        klass = super().__new__(mcs, name, bases, attrs)
        for field in klass._declared_fields.values():
            field.required = True  # on output: the document lists every property as present
        return klass


class Resource(Schema, metaclass=_AlwaysPresent):
    """A resource written out: every property present, null where there is no value."""


def _time(description: str | None = None, nullable: bool = True) -> LocalTime:
    return LocalTime(allow_none=nullable, metadata={"description": description} if description else {})


def _text(description: str | None = None, nullable: bool = False) -> fields.String:
    return fields.String(allow_none=nullable, metadata={"description": description} if description else {})


def _enum(enum, nullable: bool = False) -> fields.Enum:
    return fields.Enum(enum, by_value=fields.String, allow_none=nullable)


# ---------------------------------------------------------------- small objects inside resources


class UnitRefSchema(Resource):
    id = fields.Integer()
    name = fields.String()


class CategoryRefSchema(Resource):
    id = fields.Integer()
    name = fields.String()
    full_name = fields.String()


class AreaRefSchema(Resource):
    id = fields.Integer()
    name = fields.String()


class EnterpriseRefSchema(Resource):
    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
    industry = fields.String()


class ContactSchema(Resource):
    name = fields.String(attribute="contact_name")
    mobile = fields.String(attribute="contact_mobile")
    email = fields.String(attribute="contact_email", allow_none=True)


class ExtensionRequestSchema(Resource):
    id = fields.Integer()
    requested_due = fields.Date()
    reason = fields.String()
    created_at = _time(nullable=False)


class OrderSchema(Resource):
    id = fields.Integer()
    level = fields.String(validate=OneOf(list(workflow.ORDER_LEVELS)))
    deadline = fields.Date()
    note = fields.String()
    issued_at = _time(nullable=False)


# ---------------------------------------------------------------- resources


def _offered_actions(ticket) -> list[str]:
    return [a for a in workflow.available_actions(auth.api_user(), ticket) if a in ACTION_BODIES]


class TicketSchema(Resource):
    """A ticket as units and supervisors see it, the enterprise and its contact included."""

    id = fields.Integer()
    tracking_no = _text("The number the enterprise and the public know the ticket by.", nullable=True)
    version = fields.Integer(
        metadata={
            "description": "Send it back as `version` with an action to refuse it if someone changed the ticket since."
        }
    )
    state = _enum(State)
    source = _enum(Source)
    title = fields.String()
    description = fields.String()
    answers = fields.Dict(allow_none=True, metadata={"description": "The category's intake questions, answered."})
    category = fields.Nested(CategoryRefSchema)
    area = fields.Nested(AreaRefSchema, allow_none=True)
    lead_unit = fields.Nested(UnitRefSchema, allow_none=True)
    co_units = fields.List(fields.Nested(UnitRefSchema))
    enterprise = fields.Nested(EnterpriseRefSchema)
    contact = computed(lambda t: t, fields.Nested(ContactSchema))
    publish_consent = fields.Boolean()
    limit_class = _enum(LimitClass)
    handle_days = fields.Integer(metadata={"description": "Working days to handle."})
    created_at = _time(nullable=False)
    accepted_at = _time()
    dispatched_at = _time()
    signed_at = _time()
    replied_at = _time()
    approved_at = _time("When the supervisor sent the reply to the enterprise.")
    closed_at = _time()
    paused_at = _time("Since when the handling clock is paused for material.")
    accept_due = _time()
    sign_due = _time()
    handle_due = _time()
    rate_due = _time()
    overdue = computed(
        lambda t: clocks.is_overdue(t, request_time()),
        fields.Boolean(metadata={"description": "Late now on a running handling clock."}),
    )
    overdue_at = _time("Set once, when the ticket first became overdue.")
    warning = computed(
        clocks.warning,
        fields.String(
            validate=OneOf(WARNINGS),
            allow_none=True,
            metadata={"description": "The warning colour of the clock now running."},
        ),
    )
    decline_reason = _text(nullable=True)
    merged_into = computed(
        lambda t: t.merged_into.tracking_no if t.merged_into is not None else None,
        _text("Tracking number of the ticket this one was merged into.", nullable=True),
    )
    reply_outcome = _enum(Outcome, nullable=True)
    reply_text = _text(nullable=True)
    rating = fields.Enum(
        Rating,
        by_value=fields.Integer,
        allow_none=True,
        metadata={"description": "5 very satisfied … 1 very dissatisfied."},
    )
    rating_solved = fields.Boolean(allow_none=True)
    rating_comment = _text(nullable=True)
    rated_at = _time()
    reopen_count = fields.Integer()
    return_count = fields.Integer()
    extension_count = fields.Integer()
    published_at = _time()
    public_title = _text(nullable=True)
    public_summary = _text(nullable=True)
    public_reply = _text(nullable=True)
    result_published_at = _time()
    pending_extension = fields.Nested(ExtensionRequestSchema, allow_none=True)
    open_orders = fields.List(
        fields.Nested(OrderSchema), metadata={"description": "Supervision orders waiting for the unit's answer."}
    )
    actions = computed(
        _offered_actions,
        fields.List(
            fields.String(validate=OneOf(list(ACTION_BODIES))),
            metadata={
                "description": "The actions this user may try on the ticket now (the data may still be refused)."
            },
        ),
    )


class ActorSchema(Resource):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(attribute="role.value")
    unit = fields.Nested(UnitRefSchema, allow_none=True)


class EventSchema(Resource):
    """One step on a ticket's timeline."""

    id = fields.Integer()
    at = _time(nullable=False)
    action = _text("An action of the state machine, `submit`, `merged_from` or `alert_<kind>`.")
    label = computed(lambda e: str(timeline.label(e.action)), fields.String())
    actor = fields.Nested(ActorSchema, allow_none=True, metadata={"description": "None: the system."})
    from_state = _enum(State, nullable=True)
    to_state = _enum(State, nullable=True)
    note = computed(lambda e: e.note or "", fields.String())
    public = fields.Boolean(metadata={"description": "Shown to the enterprise and on the public page."})
    data = fields.Dict(allow_none=True)


class UnitSchema(Resource):
    id = fields.Integer()
    name = fields.String()
    short_name = _text(nullable=True)
    kind = _enum(UnitKind)
    parent_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    handles_tickets = fields.Boolean(metadata={"description": "May be given as `unit_id` to accept or dispatch."})


class CategorySchema(Resource):
    id = fields.Integer()
    name = fields.String()
    full_name = fields.String()
    parent_id = fields.Integer(allow_none=True, metadata={"description": "None for a top-level area."})
    limit_class = _enum(LimitClass)
    default_lead_unit_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class TokenSchema(Resource):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = _time(nullable=False)


class MeSchema(Resource):
    """The user the token acts as, and the token."""

    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    role = fields.String(attribute="role.value", validate=OneOf(API_ROLES))
    unit = fields.Nested(UnitRefSchema, allow_none=True)
    token = computed(lambda _user: auth.api_token(), fields.Nested(TokenSchema))


# ---------------------------------------------------------------- lists


class TicketPageSchema(Resource):
    items = fields.List(fields.Nested(TicketSchema))
    next = fields.Integer(
        allow_none=True, metadata={"description": "Pass as `after` for the next page; null on the last."}
    )


class EventListSchema(Resource):
    items = fields.List(fields.Nested(EventSchema))


class UnitListSchema(Resource):
    items = fields.List(fields.Nested(UnitSchema))


class CategoryListSchema(Resource):
    items = fields.List(fields.Nested(CategorySchema))


class TicketQuerySchema(Schema):
    """The filters and the page of the ticket list (query parameters; an empty one is absent)."""

    state = _enum(State)
    unit_id = QueryInt(metadata={"description": "The lead unit."})
    category_id = QueryInt(metadata={"description": "A category, or an area and its categories."})
    overdue = QueryBool(metadata={"description": "Late (or not) on a running handling clock now."})
    updated_since = LocalTime(metadata={"description": "Only tickets with a timeline event at or after this time."})
    after = QueryInt(metadata={"description": "The `next` of the previous page."})
    limit = QueryInt(1, PAGE_SIZE_MAX, load_default=PAGE_SIZE)
