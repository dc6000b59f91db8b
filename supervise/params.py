"""Reading what a URL carries: ids and integers, refused before a view or the database sees a
value that does not fit — 404 for an id in the path (no such page), 400 for a query parameter.

Why here, once: an id column is INTEGER, and PostgreSQL answers a larger number with an error (not with
"no such row") while SQLite's driver cannot even bind one past 64 bits; ``"²".isdigit()`` is true yet
``int("²")`` fails, and ``int("٣")`` is 3. Only ASCII digits in range pass.
Dates and times are read by ``supervise.times``.
"""

import re

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on every database
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_int(text: str | None, minimum: int, maximum: int) -> int | None:
    """``text`` as an integer from ``minimum`` to ``maximum`` (ASCII digits only), else None."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(text: str | None) -> int | None:
    """``text`` as a row id (1 … :data:`MAX_ID`), else None."""
    return parse_int(text, 1, MAX_ID)


class IdConverter(BaseConverter):
    """``<id:name>`` in a route: a row id, or the route does not match (404)."""

    regex = r"[0-9]{1,19}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        ident = parse_id(value)
        if ident is None:
            raise ValidationError()
        return ident

    def to_url(self, value) -> str:
        return str(int(value))


def id_arg(name: str) -> int | None:
    """The id in the query parameter ``name``; None when absent or empty, 400 when not an id."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    ident = parse_id(raw)
    if ident is None:
        abort(
            400,
            description=_(
                "%(name)s in the address is not a valid number; follow the links on the "
                "page instead of editing the address.",
                name=name,
            ),
        )
    return ident
