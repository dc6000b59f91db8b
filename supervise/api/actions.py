"""What each action of the JSON API accepts: one marshmallow schema per action, generated from the
fields its transition declares (``workflow.Param``), that reads a request body and is the body's
schema in the OpenAPI document.

A schema checks the shape of the data (types, lengths, ranges, known choices, no unknown property),
like the web's forms. The document marks what the action needs as required, but a body is read with
``partial=True``: an absent field is the state machine's to refuse, with its own message (422
``refused``), as on the web.
"""

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from supervise.api.fields import Bool, Day, Int, Text
from supervise.domain import workflow
from supervise.domain.workflow import fields as kinds
from supervise.params import MAX_ID

#: The parties that use the API: actions of the enterprise (rate, provide material) are not offered.
API_PARTIES = frozenset({"unit", "co_unit", "supervisor"})


def _field(p: workflow.Param) -> fields.Field:
    """The marshmallow field of a declared ``Param``."""
    common = {
        "required": p.required,
        "allow_none": p.nullable,
        "metadata": {"description": p.doc or str(p.label or p.name)},
    }
    if p.kind in (kinds.TEXT, kinds.TEXTAREA):
        return Text(validate=Length(max=p.max_length), **common)
    if p.kind == kinds.BOOL:
        return Bool(**common)
    if p.kind == kinds.DATE:
        return Day(years=kinds.DATE_YEARS, **common)
    if p.kind == kinds.CHOICE and callable(p.choices):  # read from the database: checked by the state machine
        return Text(validate=Length(max=50), **common)
    if p.kind == kinds.CHOICE:
        return Text(validate=OneOf([str(value) for value in p.options()]), **common)
    if p.kind == kinds.UNIT:  # whether the unit handles tickets is the state machine's rule
        return Int(validate=Range(1, MAX_ID), **common)
    if p.kind == kinds.UNITS:
        return fields.List(Int(validate=Range(1, MAX_ID)), validate=Length(max=50), **common)
    return Int(validate=Range(0 if p.min is None else p.min, MAX_ID if p.max is None else p.max), **common)


def _version() -> Int:
    return Int(
        allow_none=True,
        validate=Range(1, MAX_ID),
        metadata={
            "description": (
                "The ticket's `version` as you last read it: the action is refused (409) if the ticket changed since."
            )
        },
    )


def schema_name(action: str) -> str:
    """The body's name in the document: ``request_extension`` → ``RequestExtensionData``."""
    return "".join(part.capitalize() for part in action.split("_")) + "Data"


def _body_schema(action: str, transition: workflow.Transition) -> type[Schema]:
    declared = {p.name: _field(p) for p in transition.fields}
    return Schema.from_dict({**declared, "version": _version()}, name=schema_name(action))


#: The actions the API offers (every action a unit or a supervisor can make), each with its body's
#: schema: the fields its transition declares, under the keys the state machine reads, and ``version``.
ACTION_BODIES: dict[str, type[Schema]] = {
    action: _body_schema(action, transition)
    for action, transition in workflow.TRANSITIONS.items()
    if transition.parties & API_PARTIES
}


def body_required(action: str) -> bool:
    """Whether the action needs a body at all (it requires some field)."""
    return any(p.required for p in workflow.TRANSITIONS[action].fields)


def body_schema(action: str) -> Schema:
    """The schema that reads ``action``'s body: shapes only, absent fields left to the state machine."""
    return ACTION_BODIES[action](partial=True)
