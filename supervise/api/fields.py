"""The marshmallow fields of the JSON API where the stock ones read too much.

JSON bodies are typed: a boolean is ``true`` or ``false`` (not ``"yes"`` or ``1``), an integer is a
number (not ``"5"``, not ``3.5``), text has no NUL and no lone surrogate (neither can be stored), a
date is exactly YYYY-MM-DD. Query parameters are text: an integer there is ASCII digits
(``params.parse_int``), a boolean ``true`` or ``false`` in any case. Each field documents itself in
the OpenAPI document as the stock field it extends.
"""

import math
from collections.abc import Callable
from typing import Any

from marshmallow import fields
from marshmallow.utils import missing

from supervise import params, times


class Text(fields.String):
    """A string that can be stored: no NUL character, no lone surrogate."""

    default_error_messages = {"unstorable": "Not text that can be stored (a NUL or a lone surrogate)."}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unstorable") from None
        return text


class Bool(fields.Boolean):
    """A JSON boolean, nothing that merely looks like one."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Int(fields.Integer):
    """A JSON number that is a whole number (5 or 5.0; not "5", 5.5 or true)."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Day(fields.Date):
    """A date written YYYY-MM-DD within ``years``."""

    def __init__(self, *, years: tuple[int, int] = times.YEARS, **kwargs):
        super().__init__(**kwargs)
        self.years = years
        self.error_messages["invalid"] = f"Not a date YYYY-MM-DD in the years {years[0]}–{years[1]}."

    def _deserialize(self, value, attr, data, **kwargs):
        day = times.parse_date(value, self.years)
        if day is None:
            raise self.make_error("invalid")
        return day


class LocalTime(fields.DateTime):
    """A stored (zone-local) time, written with the zone's offset; read from a date-time with any
    offset (or a date) as the zone's local time."""

    default_error_messages = {"invalid": "Not a date-time such as 2026-05-01T09:00:00+08:00."}

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return times.iso(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return times.parse_datetime(value)
        except ValueError:
            raise self.make_error("invalid") from None


class QueryInt(fields.Integer):
    """An integer in a query parameter: ASCII digits within the field's range."""

    def __init__(self, minimum: int = 1, maximum: int = params.MAX_ID, *, metadata: dict | None = None, **kwargs):
        super().__init__(metadata={"minimum": minimum, "maximum": maximum, **(metadata or {})}, **kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.error_messages["invalid"] = f"Not an integer from {minimum} to {maximum}."

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        number = params.parse_int(value, self.minimum, self.maximum) if isinstance(value, str) else None
        if number is None:
            raise self.make_error("invalid")
        return number


class QueryBool(fields.Boolean):
    """``true`` or ``false`` in a query parameter, in any case."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        word = value.lower() if isinstance(value, str) else None
        if word not in ("true", "false"):
            raise self.make_error("invalid", input=value)
        return word == "true"


def computed(compute: Callable[[Any], Any], field: fields.Field) -> fields.Field:
    """``field`` (which says the property's type in the document) written out with ``compute(obj)``
    instead of an attribute of the object: a value derived from several columns, or from the request."""

    def get_value(obj, attr, accessor=None, default=missing):
        return compute(obj)

    field.get_value = get_value
    return field
