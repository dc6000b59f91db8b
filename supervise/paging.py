"""Keyset paging, once for every list: one cursor encoding, one page, the links to the next and the
first page (the ``pager`` macro in ``_macros.html`` shows them).

A list is ordered newest first by a *key*: columns whose last one is unique (the id). The cursor in
``?after=`` names the last row shown, its key's values joined by ``-`` — an id as digits, a time as
``YYYYmmddHHMMSS`` — so the cursor of a list ordered by id is just the id. The next page is the rows
whose key is below the cursor: a row comparison an index answers as a range, with no OFFSET however
deep the page, and no row skipped or shown twice when rows are added meanwhile.

Why not sqlakeyset: its cursors are opaque strings, where the links people follow (and the tests)
carry a plain id; and the public list's search finds its ids by a query of its own (see
``disclosure.published_page``), which takes the pieces here rather than a whole paginated query.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask import abort, request, url_for
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, tuple_

from supervise.extensions import db
from supervise.params import parse_id

T = TypeVar("T")

#: The query parameter that carries the cursor, in every list.
PARAM = "after"
#: A list's order: columns, newest first, the last unique.
Key = Sequence[Any]
_STAMP = re.compile(r"[0-9]{14}(?:[0-9]{6})?")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, the cursor of the next page (None on the last), and the links."""

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None
    next_url: str | None = None
    first_url: str | None = None


# ---------------------------------------------------------------- the cursor


def _encode_value(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y%m%d%H%M%S}" + (f"{value:%f}" if value.microsecond else "")
    return str(int(value))


def _decode_value(text: str, column: Any) -> Any:
    """A datetime column's value, or an id (1 … MAX_ID, ASCII digits); None when ``text`` is neither."""
    if column.type.python_type is not datetime:
        return parse_id(text)
    if not _STAMP.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S%f" if len(text) > 14 else "%Y%m%d%H%M%S")
    except ValueError:  # 20260230…: digits, but no such day
        return None


def encode(row: Any, key: Key) -> str:
    """The cursor that names ``row``'s place in a list ordered by ``key``."""
    return "-".join(_encode_value(getattr(row, column.key)) for column in key)


def decode(cursor: str | None, key: Key) -> tuple | None:
    """The key values :func:`encode` wrote into ``cursor``; None when absent or not a cursor of ``key``."""
    parts = (cursor or "").strip().split("-")
    if len(parts) != len(key):
        return None
    values = tuple(_decode_value(part, column) for part, column in zip(parts, key, strict=True))
    return None if None in values else values


# ---------------------------------------------------------------- the query


def after(query: Select, columns: Sequence[ColumnElement], values: tuple | None) -> Select:
    """``query`` restricted to the rows that come after ``values`` in the order of ``columns``,
    newest first; unchanged when ``values`` is None (the first page)."""
    if values is None:
        return query
    if len(columns) == 1:
        return query.where(columns[0] < values[0])
    return query.where(tuple_(*columns) < tuple_(*values))


def split(rows: list[T], key: Key, per_page: int) -> tuple[list[T], str | None]:
    """``rows`` (up to ``per_page + 1`` of them) as a page and the cursor of the next, None when no
    row was left over."""
    if len(rows) > per_page:
        return rows[:per_page], encode(rows[per_page - 1], key)
    return rows, None


def fetch(query: Select, key: Key, values: tuple | None, per_page: int) -> tuple[list, str | None]:
    """The ``per_page`` rows of ``query`` after ``values`` in the order of ``key``, newest first, and
    the cursor of the next page (None on the last). One query: a row more than the page tells
    whether another follows."""
    query = after(query, key, values).order_by(*(column.desc() for column in key)).limit(per_page + 1)
    return split(list(db.session.scalars(query).unique()), key, per_page)


# ---------------------------------------------------------------- the request and the links


def cursor_arg(key: Key, strict: bool = True) -> tuple | None:
    """The cursor in ``?after=`` decoded; None when absent or empty. One that is not a cursor of
    ``key`` is a 400 page that says so, or with ``strict=False`` None: the list starts over."""
    raw = (request.args.get(PARAM) or "").strip()
    if not raw:
        return None
    values = decode(raw, key)
    if values is None and strict:
        abort(
            400,
            description=_(
                "%(name)s in the address is not a valid number; follow the links on the "
                "page instead of editing the address.",
                name=PARAM,
            ),
        )
    return values


def page(
    items: list[T], next_cursor: str | None, endpoint: str, args: dict | None = None, anchor: str | None = None
) -> Page[T]:
    """``items`` as a page of the list at ``endpoint`` (with the query ``args`` that select it): a
    link to the next page when ``next_cursor``, to the first when this page was reached by a cursor."""
    args = {name: value for name, value in (args or {}).items() if name != PARAM}
    if anchor:
        args["_anchor"] = anchor
    next_url = url_for(endpoint, **args, **{PARAM: next_cursor}) if next_cursor else None
    first_url = url_for(endpoint, **args) if (request.args.get(PARAM) or "").strip() else None
    return Page(items, next_cursor, next_url, first_url)


def keyset_page(
    query: Select, key: Key, *, per_page: int, endpoint: str, args: dict | None = None, anchor: str | None = None
) -> Page:
    """The page of ``query`` that the request's ``?after=`` asks for (400 if that is no cursor), in
    the order of ``key``, newest first, with its links (see :func:`page`)."""
    items, next_cursor = fetch(query, key, cursor_arg(key), per_page)
    return page(items, next_cursor, endpoint, args, anchor)
