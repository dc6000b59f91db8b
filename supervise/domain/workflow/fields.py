"""What an action accepts, declared once on its transition as :class:`Param` values.

From the one declaration come the web forms (``supervise.action_forms``), the API's check of a
request body (:func:`parse`) and the JSON schema the OpenAPI document shows (:func:`schema`). The
declaration says the shape of each field (kind, length, range, choices) and whether the action needs
it; what a value means for the ticket stays with the transition's effect.
"""

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from supervise.domain.workflow.errors import Invalid
from supervise.params import MAX_ID

TEXT = "text"  # one line
TEXTAREA = "textarea"  # several lines
CHOICE = "choice"  # one of ``choices``
DATE = "date"
INT = "int"
BOOL = "bool"
UNIT = "unit"  # the id of a unit that handles tickets
KINDS = frozenset({TEXT, TEXTAREA, CHOICE, DATE, INT, BOOL, UNIT})

#: The years a date given to an action may fall in.
DATE_YEARS = (2000, 2099)
NOTE_MAX = 2000  # a supervisor's note
TEXT_MAX = 5000  # a unit's texts, the public texts, the enterprise's material
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)


@dataclass(frozen=True)
class Param:
    """One field an action accepts, under the key the transition's effect reads.

    ``required``: the action is refused without it, with ``message`` (which is also the message for a
    value the effect cannot use). ``label`` and ``description`` are for the web form, ``doc`` for the
    API's reference (English, for programmers). ``choices`` is a dict of value -> label, or a callable
    returning one (read when a form is drawn). ``radio`` draws a choice or a yes/no as radio buttons.
    """

    name: str
    kind: str
    label: Any = None
    required: bool = False
    message: Any = None
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    choices: Mapping | Callable[[], Mapping] | None = None
    description: Any = None
    doc: str = ""
    nullable: bool = False
    radio: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} of {self.name}")
        if self.required and self.message is None:
            raise ValueError(f"{self.name} is required: say what the user is told without it")
        if self.kind in (TEXT, TEXTAREA) and self.max_length is None:
            raise ValueError(f"{self.name}: a text needs its max_length")

    def options(self) -> dict:
        """The choices as a dict (called now if declared as a callable)."""
        found = self.choices() if callable(self.choices) else self.choices
        return dict(found or {})


# ---------------------------------------------------------------- checking JSON values


def clean_text(value: str) -> str | None:
    """None when ``value`` cannot be stored: a NUL character or a lone surrogate."""
    if "\x00" in value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def integer(value: Any) -> int | None:
    """A JSON number that is a whole number (``2.0`` too; ``true`` is not a number), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def parse_date(value: Any) -> date | None:
    """A YYYY-MM-DD date within :data:`DATE_YEARS`, else None."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return day if DATE_YEARS[0] <= day.year <= DATE_YEARS[1] else None


def _text(p: Param, value: Any) -> str:
    if not isinstance(value, str) or clean_text(value) is None:
        raise ValueError("must be a string of text")
    if len(value) > p.max_length:
        raise ValueError(f"at most {p.max_length} characters")
    return value


def _bool(p: Param, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _int(p: Param, value: Any) -> int:
    low, high = _range(p)
    number = integer(value)
    if number is None or not low <= number <= high:
        raise ValueError(f"must be an integer from {low} to {high}")
    return number


def _date(p: Param, value: Any) -> date:
    day = parse_date(value)
    if day is None:
        raise ValueError(f"must be a date YYYY-MM-DD in the years {DATE_YEARS[0]}–{DATE_YEARS[1]}")
    return day


def _choice(p: Param, value: Any) -> Any:
    allowed = p.options()
    if isinstance(value, bool) or value not in allowed:
        raise ValueError("must be one of " + ", ".join(str(v) for v in allowed))
    return value


def _range(p: Param) -> tuple[int, int]:
    if p.kind == UNIT:
        return 1, MAX_ID
    return (p.min if p.min is not None else 0), (p.max if p.max is not None else MAX_ID)


_CHECKS: dict[str, Callable[[Param, Any], Any]] = {
    TEXT: _text,
    TEXTAREA: _text,
    BOOL: _bool,
    INT: _int,
    UNIT: _int,
    DATE: _date,
    CHOICE: _choice,
}


def parse(params: Iterable[Param], mapping: Mapping[str, Any]) -> dict:
    """The values of ``mapping`` (decoded JSON) checked against ``params``: the data for ``perform``.

    Checks the shape only (types, lengths, ranges, known choices, no unknown keys); an absent field is
    left to the transition, which refuses it with its own message when it is required. Raises
    :class:`Invalid` with a message per field.
    """
    declared = {p.name: p for p in params}
    errors: dict[str, str] = {name: "unknown property" for name in sorted(set(mapping) - set(declared))}
    data = {}
    for name, p in declared.items():
        if name not in mapping:
            continue
        value = mapping[name]
        try:
            if value is None:
                if not p.nullable:
                    raise ValueError("must not be null")
                data[name] = None
            else:
                data[name] = _CHECKS[p.kind](p, value)
        except ValueError as err:
            errors[name] = str(err)
    if errors:
        raise Invalid.of(errors)
    return data


# ---------------------------------------------------------------- the JSON schema


def _property(p: Param) -> dict:
    if p.kind in (TEXT, TEXTAREA):
        schema: dict[str, Any] = {"type": "string", "maxLength": p.max_length}
    elif p.kind == BOOL:
        schema = {"type": "boolean"}
    elif p.kind in (INT, UNIT):
        low, high = _range(p)
        schema = {"type": "integer", "minimum": low, "maximum": high}
    elif p.kind == DATE:
        schema = {"type": "string", "format": "date"}
    elif callable(p.choices):  # read from the database: the values are known only when asked
        schema = {"type": "string"}
    else:
        schema = {"type": "string", "enum": [str(v) for v in p.options()]}
    if p.nullable:
        schema["nullable"] = True
        if "enum" in schema:
            schema["enum"].append(None)
    schema["description"] = p.doc or str(p.label or p.name)
    return schema


def schema(params: Iterable[Param]) -> dict:
    """A JSON-schema object (OpenAPI 3.0 dialect) of what ``params`` accept; ``required`` lists what
    the action needs."""
    params = list(params)
    result: dict[str, Any] = {
        "type": "object",
        "properties": {p.name: _property(p) for p in params},
        "additionalProperties": False,
    }
    required = [p.name for p in params if p.required]
    if required:
        result["required"] = required
    return result
