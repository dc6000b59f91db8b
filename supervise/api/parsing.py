"""Reading a request with the schemas (webargs, as flask-smorest does): the body is JSON whatever its
Content-Type says, an empty query parameter is as if absent (as on the web's lists), and every
refusal is the API's error — 400 ``bad_request`` for a body that is no JSON object or a malformed
query parameter, 422 ``invalid`` for a body of the wrong shape.
"""

import json
from typing import Any, NoReturn

from flask_babel import lazy_gettext as _l
from webargs import core
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

from supervise.api.errors import ApiError

WHERE = {"json": "request body", "query": "query parameters"}


def describe(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested messages as "name: problem" lines."""
    if isinstance(messages, dict):
        found = []
        for name, inner in messages.items():
            found += describe(inner, f"{prefix}{name}." if name != "_schema" else prefix)
        return found
    if isinstance(messages, list | tuple):
        return [line for inner in messages for line in describe(inner, prefix)]
    return [f"{prefix.rstrip('.')}: {messages}" if prefix else str(messages)]


class ApiParser(FlaskParser):
    """webargs' Flask parser with the API's reading rules and errors."""

    DEFAULT_VALIDATION_STATUS = 422

    def load_json(self, req, schema) -> Any:
        raw = req.get_data(cache=True)
        if not raw:
            return core.missing  # no body: an action that needs no data
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep for the decoder
            body = None
        if not isinstance(body, dict):
            raise ApiError(400, _l("The request body must be a JSON object."))
        return body

    def load_querystring(self, req, schema) -> Any:
        given = MultiDict([(name, value) for name, value in req.args.items(multi=True) if value != ""])
        return self._makeproxy(given, schema)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers) -> NoReturn:
        status = error_status_code or self.DEFAULT_VALIDATION_STATUS
        messages = error.messages if isinstance(error.messages, dict) else {"json": error.messages}
        parts = [
            f"Invalid {WHERE.get(location, location)}: " + "; ".join(describe(inner))
            for location, inner in messages.items()
        ]
        raise ApiError(status, " ".join(parts), code="invalid" if status == 422 else None)


parser = ApiParser()
