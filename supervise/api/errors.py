"""Errors of the JSON API, always as ``{"error": {"code": "...", "message": "..."}}``.

Errors raised inside the API's views go through the blueprint's own handlers, which Flask consults
before the application's HTML error pages. A URL under ``/api/`` that matches no route (404) or not
with this method (405) never reaches the blueprint; those are answered as JSON before the routing
error is raised, so the application's HTML handlers in ``supervise.errors`` keep every other path.
"""

from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import RequestRedirect

from supervise.domain.workflow.errors import NotAllowed, Stale, TransitionError, WrongState
from supervise.extensions import db

API_PATH_PREFIX = "/api/"

#: The ``code`` of an error answer for each HTTP status the API uses.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiError(Exception):
    """An error answer: HTTP ``status``, a stable ``code`` for programs and a ``message`` for people."""

    def __init__(self, status: int, message: Any, code: str | None = None, headers: dict | None = None):
        super().__init__(str(message))
        self.status = status
        self.code = code or CODES.get(status) or _slug(status)
        self.message = message
        self.headers = headers or {}


def refused(err: TransitionError) -> ApiError:
    """The answer for a transition the state machine refused: 403 for the actor's part, 409 for the
    ticket's state or a stale version, 422 for the data (with the first field's message)."""
    if isinstance(err, NotAllowed):
        return ApiError(403, err.message)
    if isinstance(err, Stale):
        return ApiError(409, err.message, code="stale")
    if isinstance(err, WrongState):
        return ApiError(409, err.message, code="conflict")
    return ApiError(422, err.message, code="refused")


def _slug(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("-", "_")


def error_response(status: int, message: Any, code: str | None = None, headers: dict | None = None) -> Response:
    """The JSON answer for an error."""
    response = jsonify({"error": {"code": code or CODES.get(status) or _slug(status), "message": str(message)}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _from_http(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    message = error.description or HTTP_STATUS_CODES.get(status, "Error")
    if status == 429:
        message = f"Too many requests: {error.description}"
    if isinstance(error, InternalServerError):
        message = "An error occurred on our side."
    return error_response(status, message, headers=headers)


def _from_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, error.code, error.headers)


def _routing_error_as_json() -> Response | None:
    """Before the view: a URL under /api/ that matched no route, or not with this method, gets JSON."""
    exc = request.routing_exception
    if exc is None or isinstance(exc, RequestRedirect) or not request.path.startswith(API_PATH_PREFIX):
        return None
    if isinstance(exc, HTTPException):
        return _from_http(exc)
    return None


def install(bp: Blueprint) -> None:
    """Register the JSON error handlers on the API blueprint."""
    bp.register_error_handler(ApiError, _from_api_error)
    # By status code: Flask looks for a handler of the exact code (blueprint, then app) before one of a
    # class, so a handler for HTTPException alone would lose to the application's HTML pages.
    for status in default_exceptions:
        bp.register_error_handler(status, _from_http)
    bp.before_app_request(_routing_error_as_json)
