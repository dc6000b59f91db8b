"""What each action of the JSON API accepts: one marshmallow schema per action, generated from one
declaration, that checks a request body and is the body's schema in the OpenAPI document.

A schema checks the shape of the data (types, lengths, known choices, what must be given), like the
web's forms; whether the action may happen now is the state machine's to say.
"""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf, Range

from supervise.api.fields import Bool, Day, Int, Text
from supervise.console.forms import NOTE_MAX
from supervise.domain import workflow
from supervise.extensions import db
from supervise.models import LimitClass, Outcome, Unit, UnitKind
from supervise.params import MAX_ID
from supervise.times import DUE_YEARS
from supervise.unit.forms import TEXT_MAX

HANDLE_DAYS_MAX = 90  # as in the console's forms
DATE_HELP = f"A date, YYYY-MM-DD, in the years {DUE_YEARS[0]}–{DUE_YEARS[1]}."


def _handling_unit(unit_id: int | None) -> None:
    """As on the console: a ticket goes only to an active unit that handles tickets, not to the office."""
    if unit_id is None:
        return
    chosen = db.session.get(Unit, unit_id)
    if chosen is None or not chosen.active or chosen.kind == UnitKind.OFFICE:
        raise ValidationError(str(_l("Choose an active unit to handle the ticket.")))


def _about(description: str) -> dict:
    return {"description": description}


def _text(description: str, max_length: int = TEXT_MAX, required: bool = True) -> Text:
    return Text(required=required, validate=Length(max=max_length), metadata=_about(description))


def _note(description: str = "A note on the timeline.", required: bool = False) -> Text:
    return _text(description, NOTE_MAX, required)


def _choice(description: str, choices, required: bool = True) -> Text:
    return Text(required=required, validate=OneOf(list(choices)), metadata=_about(description))


def _day(description: str) -> Day:
    return Day(required=True, metadata=_about(f"{description} {DATE_HELP}"))


def _unit(description: str, required: bool) -> Int:
    return Int(required=required, allow_none=not required, validate=[Range(1, MAX_ID), _handling_unit],
               metadata=_about(description))


def _handle_days(description: str) -> Int:
    return Int(validate=Range(1, HANDLE_DAYS_MAX), metadata=_about(description))


#: The actions the API offers (every action of the state machine a unit or a supervisor can make),
#: each with the properties of its body, under the keys the state machine reads.
DECLARED: dict[str, dict[str, fields.Field]] = {
    # A unit (lead unit; progress notes also a co-handling unit).
    "sign": {},
    "return": {"reason": _text("Why the ticket is not the unit's to handle, and who should handle it."),
               "basis": _text("The rule or duty list that assigns the matter elsewhere.")},
    "note": {"note": _text("The progress note."),
             "public": Bool(metadata=_about("Shown to the enterprise and, once published, on the public page."))},
    "request_extension": {"new_due": _day("The new due date: a working day later than the current one."),
                          "reason": _text("Why the extension is needed.")},
    "request_material": {"note": _text("Which material the enterprise should add (pauses the clock).")},
    "reply": {"outcome": _choice("The outcome.", (o.value for o in Outcome)),
              "text": _text("The reply to the enterprise; the supervisor reviews it first.")},
    "answer_order": {"text": _text("The answer to the oldest open supervision order.")},
    # A supervisor.
    "accept": {"unit_id": _unit("The lead unit (a unit that handles tickets); null or absent lets the routing "
                                "rules decide.", required=False),
               "note": _note()},
    "decline": {"reason": _choice("One of the published reasons for declining.", workflow.DECLINE_REASONS),
                "note": _note()},
    "dispatch": {"unit_id": _unit("The lead unit (a unit that handles tickets).", required=True),
                 "limit_class": _choice("The time-limit class; absent for the category's.",
                                        (c.value for c in LimitClass), required=False),
                 "handle_days": _handle_days("Working days to handle; empty for the time-limit class's."),
                 "note": _note()},
    "reject_return": {"note": _note("Why the unit must handle the ticket.", required=True)},
    "grant_extension": {"note": _note()},
    "refuse_extension": {"note": _note("Why the extension is refused.", required=True)},
    "approve_reply": {"note": _note()},
    "send_back": {"note": _note("What the reply lacks.", required=True)},
    "reopen": {"note": _note("What the unit must handle again.", required=True),
               "handle_days": _handle_days("Working days to handle; empty for the ticket's usual limit.")},
    "uphold": {"note": _note("Why the unit's appeal is upheld.", required=True)},
    "close_unrated": {},
    "issue_order": {"level": _choice("The level of supervision.", workflow.ORDER_LEVELS),
                    "deadline": _day("The date by which the unit must answer."),
                    "note": _note("What the unit must do.", required=True)},
    "merge": {"into": _text("The tracking number of another open ticket.", max_length=20),
              "note": _note()},
    "publish": {"public_title": _text("The public title.", max_length=120),
                "public_summary": _text("The public summary of the problem.")},
    "publish_result": {"public_reply": _text("The public summary of the result.")},
    "unpublish": {"note": _note("Why the ticket is withdrawn.", required=True)},
    "add_redaction_term": {"term": _text("A word to mask on this ticket's public pages.", max_length=100)},
}


def schema_name(action: str) -> str:
    """The body's name in the document: ``request_extension`` → ``RequestExtensionData``."""
    return "".join(part.capitalize() for part in action.split("_")) + "Data"


def _version() -> Int:
    return Int(allow_none=True, validate=Range(1, MAX_ID), metadata=_about(
        "The ticket's `version` as you last read it: the action is refused (409) if the ticket changed since."))


def _body_schema(action: str, declared: dict[str, fields.Field]) -> type[Schema]:
    return Schema.from_dict({**declared, "version": _version()}, name=schema_name(action))


#: One schema per action, with ``version`` beside the action's own properties.
ACTION_BODIES: dict[str, type[Schema]] = {action: _body_schema(action, declared)
                                          for action, declared in DECLARED.items()}


def body_required(action: str) -> bool:
    """Whether the action needs a body at all (some property is required)."""
    return any(field.required for field in DECLARED[action].values())

