"""One schema per resource of the JSON API: how each is written out, and what each action accepts.

The request bodies of the actions are declared once, in :data:`ACTION_BODIES`: the same declaration
checks a request (:func:`parse_action_body`) and is written into the OpenAPI document. It checks only
the shape of the data (types, lengths, known choices), like the web's forms; whether the action may
happen and what it requires is the state machine's to say.
"""

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from supervise.api.errors import ApiError
from supervise.console.forms import NOTE_MAX
from supervise.domain import clocks, workflow
from supervise.extensions import db
from supervise.models import (
    ApiToken,
    Category,
    LimitClass,
    Outcome,
    Ticket,
    TicketEvent,
    Unit,
    UnitKind,
    User,
)
from supervise.params import MAX_ID
from supervise.unit.forms import TEXT_MAX

HANDLE_DAYS_MAX = 90  # as in the console's forms
DATE_YEARS = (2000, 2099)


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
            "active": u.active, "handles_tickets": u.active and u.kind != UnitKind.OFFICE}


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
        "label": str(workflow.label(e.action)),
        "actor": None if actor is None else {"id": actor.id, "name": actor.name, "role": actor.role.value,
                                             "unit": unit_ref(actor.unit)},
        "from_state": e.from_state.value if e.from_state else None,
        "to_state": e.to_state.value if e.to_state else None,
        "note": e.note or "",
        "public": e.public,
        "data": e.data,
    }


# ---------------------------------------------------------------- what each action accepts


@dataclass(frozen=True)
class Field:
    """One property of an action's request body."""

    kind: str  # text | bool | int | date | choice
    description: str
    required: bool = False  # the state machine refuses the action without it
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False


def _unit_text(description: str, required: bool = True) -> Field:
    return Field("text", description, required=required, max_length=TEXT_MAX)


def _note(description: str = "A note on the timeline.", required: bool = False) -> Field:
    return Field("text", description, required=required, max_length=NOTE_MAX)


_DATE_HELP = f"A date, YYYY-MM-DD, in the years {DATE_YEARS[0]}–{DATE_YEARS[1]}."
_HANDLE_DAYS = Field("int", "Working days to handle; empty for the time-limit class's.", minimum=1,
                     maximum=HANDLE_DAYS_MAX)

#: The actions the API offers (every action of the state machine a unit or a supervisor can make),
#: each with the properties of its request body, under the keys the state machine reads.
ACTION_BODIES: dict[str, dict[str, Field]] = {
    # A unit (lead unit; progress notes also a co-handling unit).
    "sign": {},
    "return": {"reason": _unit_text("Why the ticket is not the unit's to handle, and who should handle it."),
               "basis": _unit_text("The rule or duty list that assigns the matter elsewhere.")},
    "note": {"note": _unit_text("The progress note."),
             "public": Field("bool", "Shown to the enterprise and, once published, on the public page.")},
    "request_extension": {"new_due": Field("date", "The new due date: a working day later than the current one. "
                                                   + _DATE_HELP, required=True),
                          "reason": _unit_text("Why the extension is needed.")},
    "request_material": {"note": _unit_text("Which material the enterprise should add (pauses the clock).")},
    "reply": {"outcome": Field("choice", "The outcome.", required=True, choices=tuple(o.value for o in Outcome)),
              "text": _unit_text("The reply to the enterprise; the supervisor reviews it first.")},
    "answer_order": {"text": _unit_text("The answer to the oldest open supervision order.")},
    # A supervisor.
    "accept": {"unit_id": Field("int", "The lead unit (a unit that handles tickets); null or absent lets "
                                       "the routing rules decide.", minimum=1, maximum=MAX_ID, nullable=True),
               "note": _note()},
    "decline": {"reason": Field("choice", "One of the published reasons for declining.", required=True,
                                choices=tuple(workflow.DECLINE_REASONS)),
                "note": _note()},
    "dispatch": {"unit_id": Field("int", "The lead unit (a unit that handles tickets).", required=True, minimum=1,
                                  maximum=MAX_ID),
                 "limit_class": Field("choice", "The time-limit class; absent for the category's.",
                                      choices=tuple(c.value for c in LimitClass)),
                 "handle_days": _HANDLE_DAYS,
                 "note": _note()},
    "reject_return": {"note": _note("Why the unit must handle the ticket.", required=True)},
    "grant_extension": {"note": _note()},
    "refuse_extension": {"note": _note("Why the extension is refused.", required=True)},
    "approve_reply": {"note": _note()},
    "send_back": {"note": _note("What the reply lacks.", required=True)},
    "reopen": {"note": _note("What the unit must handle again.", required=True),
               "handle_days": Field("int", "Working days to handle; empty for the ticket's usual limit.",
                                    minimum=1, maximum=HANDLE_DAYS_MAX)},
    "uphold": {"note": _note("Why the unit's appeal is upheld.", required=True)},
    "close_unrated": {},
    "issue_order": {"level": Field("choice", "The level of supervision.", required=True,
                                   choices=tuple(workflow.ORDER_LEVELS)),
                    "deadline": Field("date", "The date by which the unit must answer. " + _DATE_HELP,
                                      required=True),
                    "note": _note("What the unit must do.", required=True)},
    "merge": {"into": Field("text", "The tracking number of another open ticket.", required=True, max_length=20),
              "note": _note()},
    "publish": {"public_title": Field("text", "The public title.", required=True, max_length=120),
                "public_summary": Field("text", "The public summary of the problem.", required=True,
                                        max_length=TEXT_MAX)},
    "publish_result": {"public_reply": Field("text", "The public summary of the result.", required=True,
                                             max_length=TEXT_MAX)},
    "unpublish": {"note": _note("Why the ticket is withdrawn.", required=True)},
    "add_redaction_term": {"term": Field("text", "A word to mask on this ticket's public pages.", required=True,
                                         max_length=100)},
}

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)


def _invalid(name: str, problem: str) -> ApiError:
    return ApiError(422, f"Invalid value for {name}: {problem}", code="invalid")


def clean_text(value: str) -> str | None:
    """None when ``value`` cannot be stored: a NUL character or a lone surrogate."""
    if "\x00" in value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def parse_date(value: Any) -> date | None:
    """A YYYY-MM-DD date within the accepted years, else None."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return day if DATE_YEARS[0] <= day.year <= DATE_YEARS[1] else None


def _value(name: str, spec: Field, value: Any) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise _invalid(name, "must not be null")
    if spec.kind == "text":
        if not isinstance(value, str) or clean_text(value) is None:
            raise _invalid(name, "must be a string of text")
        if spec.max_length is not None and len(value) > spec.max_length:
            raise _invalid(name, f"at most {spec.max_length} characters")
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise _invalid(name, "must be true or false")
        return value
    if spec.kind == "int":
        number = _integer(value)
        if number is None or not (spec.minimum or 0) <= number <= (spec.maximum or MAX_ID):
            raise _invalid(name, f"must be an integer from {spec.minimum} to {spec.maximum}")
        return number
    if spec.kind == "date":
        day = parse_date(value)
        if day is None:
            raise _invalid(name, f"must be a date YYYY-MM-DD in the years {DATE_YEARS[0]}–{DATE_YEARS[1]}")
        return day
    if spec.kind == "choice":
        if value not in spec.choices:
            raise _invalid(name, "must be one of " + ", ".join(spec.choices))
        return value
    raise AssertionError(spec.kind)


def parse_action_body(action: str, body: Any) -> tuple[int | None, dict]:
    """The expected version and the data for ``workflow.perform`` (422 for data of the wrong shape)."""
    if not isinstance(body, dict):
        raise ApiError(400, _l("The request body must be a JSON object."))
    fields = ACTION_BODIES[action]
    unknown = sorted(set(body) - set(fields) - {"version"})
    if unknown:
        raise ApiError(422, "Unknown properties for this action: " + ", ".join(unknown), code="invalid")
    version = None
    if body.get("version") is not None:
        version = _integer(body["version"])
        if version is None or not 1 <= version <= MAX_ID:
            raise _invalid("version", f"must be an integer from 1 to {MAX_ID}")
    data = {name: _value(name, spec, body[name]) for name, spec in fields.items() if name in body}
    if data.get("unit_id") is not None:
        _check_handling_unit(data["unit_id"])
    return version, data


def _check_handling_unit(unit_id: int) -> None:
    """As on the console: a ticket goes only to an active unit that handles tickets, not to the office."""
    chosen = db.session.get(Unit, unit_id)
    if chosen is None or not chosen.active or chosen.kind == UnitKind.OFFICE:
        raise ApiError(422, _l("Choose an active unit to handle the ticket."), code="invalid")
