"""One schema per resource of the JSON API: how each is written out, and what each action accepts.

The request bodies of the actions are declared once, on the transitions (``workflow.transitions``): the
same declaration checks a request (:func:`parse_action_body`) and is written into the OpenAPI document
(``workflow.describe``). It checks only
the shape of the data (types, lengths, known choices), like the web's forms; whether the action may
happen and what it requires is the state machine's to say.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from supervise.api.errors import ApiError
from supervise.domain import clocks, timeline, workflow
from supervise.domain.workflow.fields import integer
from supervise.models import (
    ApiToken,
    Category,
    Ticket,
    TicketEvent,
    Unit,
    User,
)
from supervise.params import MAX_ID

# ---------------------------------------------------------------- writing resources out


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def iso(value: datetime | date | None) -> str | None:
    """A stored local time as ISO 8601 with the zone's offset; a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=_zone()).isoformat()
    return value.isoformat()


def unit_ref(unit: Unit | None) -> dict | None:
    return None if unit is None else {"id": unit.id, "name": unit.name}


def unit(u: Unit) -> dict:
    return {"id": u.id, "name": u.name, "short_name": u.short_name, "kind": u.kind.value, "parent_id": u.parent_id,
            "active": u.active, "handles_tickets": u.handles_tickets}


def category(c: Category) -> dict:
    return {"id": c.id, "name": c.name, "full_name": c.full_name, "parent_id": c.parent_id,
            "limit_class": c.limit_class.value, "default_lead_unit_id": c.default_lead_unit_id, "active": c.active}


def me(user: User, token: ApiToken) -> dict:
    return {"id": user.id, "username": user.username, "name": user.name, "role": user.role.value,
            "unit": unit_ref(user.unit),
            "token": {"id": token.id, "name": token.name, "prefix": token.prefix, "created_at": iso(token.created_at)}}


def ticket(t: Ticket, user: User, at: datetime) -> dict:
    """A ticket as staff see it: internal fields, the enterprise and its contact included."""
    pending = t.pending_extension
    return {
        "id": t.id,
        "tracking_no": t.tracking_no,
        "version": t.version,
        "state": t.state.value,
        "source": t.source.value,
        "title": t.title,
        "description": t.description,
        "answers": t.answers,
        "category": {"id": t.category.id, "name": t.category.name, "full_name": t.category.full_name},
        "area": None if t.area is None else {"id": t.area.id, "name": t.area.name},
        "lead_unit": unit_ref(t.lead_unit),
        "co_units": [unit_ref(u) for u in t.co_units],
        "enterprise": {"id": t.enterprise.id, "name": t.enterprise.name, "credit_code": t.enterprise.credit_code,
                       "industry": t.enterprise.industry},
        "contact": {"name": t.contact_name, "mobile": t.contact_mobile, "email": t.contact_email},
        "publish_consent": t.publish_consent,
        "limit_class": t.limit_class.value,
        "handle_days": t.handle_days,
        "created_at": iso(t.created_at),
        "accepted_at": iso(t.accepted_at),
        "dispatched_at": iso(t.dispatched_at),
        "signed_at": iso(t.signed_at),
        "replied_at": iso(t.replied_at),
        "approved_at": iso(t.approved_at),
        "closed_at": iso(t.closed_at),
        "paused_at": iso(t.paused_at),
        "accept_due": iso(t.accept_due),
        "sign_due": iso(t.sign_due),
        "handle_due": iso(t.handle_due),
        "rate_due": iso(t.rate_due),
        "overdue": clocks.is_overdue(t, at),
        "overdue_at": iso(t.overdue_at),
        "warning": clocks.warning(t),
        "decline_reason": t.decline_reason,
        "merged_into": t.merged_into.tracking_no if t.merged_into is not None else None,
        "reply_outcome": t.reply_outcome.value if t.reply_outcome else None,
        "reply_text": t.reply_text,
        "rating": t.rating.value if t.rating else None,
        "rating_solved": t.rating_solved,
        "rating_comment": t.rating_comment,
        "rated_at": iso(t.rated_at),
        "reopen_count": t.reopen_count,
        "return_count": t.return_count,
        "extension_count": t.extension_count,
        "published_at": iso(t.published_at),
        "public_title": t.public_title,
        "public_summary": t.public_summary,
        "public_reply": t.public_reply,
        "result_published_at": iso(t.result_published_at),
        "pending_extension": None if pending is None else {
            "id": pending.id, "requested_due": iso(pending.requested_due), "reason": pending.reason,
            "created_at": iso(pending.created_at)},
        "open_orders": [{"id": o.id, "level": o.level, "deadline": iso(o.deadline), "note": o.note,
                         "issued_at": iso(o.issued_at)} for o in t.open_orders],
        "actions": [a for a in workflow.available_actions(user, t) if a in ACTION_BODIES],
    }


def event(e: TicketEvent) -> dict:
    actor = e.actor
    return {
        "id": e.id,
        "at": iso(e.at),
        "action": e.action,
        "label": str(timeline.label(e.action)),
        "actor": None if actor is None else {"id": actor.id, "name": actor.name, "role": actor.role.value,
                                             "unit": unit_ref(actor.unit)},
        "from_state": e.from_state.value if e.from_state else None,
        "to_state": e.to_state.value if e.to_state else None,
        "note": e.note or "",
        "public": e.public,
        "data": e.data,
    }


# ---------------------------------------------------------------- what each action accepts

#: The actions the API offers (every action of the state machine a unit or a supervisor can make), each
#: with the fields its transition declares (``workflow.transitions``), under the keys it reads.
ACTION_BODIES: dict[str, tuple[workflow.Param, ...]] = {
    action: spec.fields for action, spec in workflow.TRANSITIONS.items()
    if spec.parties & {"unit", "co_unit", "supervisor"}
}


def _invalid(name: str, problem: str) -> ApiError:
    return ApiError(422, f"Invalid value for {name}: {problem}", code="invalid")


def parse_action_body(action: str, body: Any) -> tuple[int | None, dict]:
    """The expected version and the data for ``workflow.perform`` (422 for data of the wrong shape)."""
    if not isinstance(body, dict):
        raise ApiError(400, _l("The request body must be a JSON object."))
    version = None
    if body.get("version") is not None:
        version = integer(body["version"])
        if version is None or not 1 <= version <= MAX_ID:
            raise _invalid("version", f"must be an integer from 1 to {MAX_ID}")
    try:
        data = workflow.parse_data(action, {k: v for k, v in body.items() if k != "version"})
    except workflow.Invalid as err:
        unknown = sorted(name for name, problem in err.errors.items() if problem == "unknown property")
        if unknown:
            raise ApiError(422, "Unknown properties for this action: " + ", ".join(unknown), code="invalid") from None
        name, problem = next(iter(err.errors.items()))
        raise _invalid(name, problem) from None
    return version, data
