"""GeoReport v2 wire formats: the same payload as JSON or as XML, errors in the spec's shape
(datetimes, W3C with the zone's offset, are written and read by ``supervise.times``).

Payloads are plain lists and dicts. XML follows the spec's (Spark) mapping: a list becomes a container
element whose children are named by :data:`ITEM_TAGS`, a dict becomes child elements, ``None`` an
empty element, booleans ``true``/``false``.
"""

import json
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response, request

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
DEFAULT_FORMAT = "xml"  # the format the spec requires; JSON is optional
# The element for each member of a list, by the list's own element name.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
}


class Open311Error(Exception):
    """A request the API refuses: HTTP ``status`` with the spec's ``errors`` body."""

    def __init__(self, status: int, description: Any) -> None:
        super().__init__(str(description))
        self.status = status
        self.description = str(description)


def chosen_format(fmt: str | None) -> str:
    """``fmt`` when the API speaks it, else the default (so that even a bad-format error is readable)."""
    return fmt if fmt in FORMATS else DEFAULT_FORMAT


def requested_format() -> str:
    """The format this request's URL asks for (``….json`` or ``….xml``), else the default."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt is None:
        last = request.path.rsplit("/", 1)[-1]
        fmt = last.rsplit(".", 1)[-1] if "." in last else None
    return chosen_format(fmt)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            element.append(_element(key, inner))
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(tag, "item")
        for inner in value:
            element.append(_element(item_tag, inner))
    else:
        element.text = _text(value)
    return element


def to_xml(root: str, payload: Any) -> bytes:
    body = ET.tostring(_element(root, payload), encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def render(root: str, payload: Any, fmt: str, status: int = 200) -> Response:
    """``payload`` as JSON, or as XML under the element ``root``."""
    fmt = chosen_format(fmt)
    body = json.dumps(payload, ensure_ascii=False).encode() if fmt == "json" else to_xml(root, payload)
    return Response(body, status=status, content_type=FORMATS[fmt])


def render_error(error: Open311Error, fmt: str) -> Response:
    return render("errors", [{"code": error.status, "description": error.description}], fmt, error.status)
