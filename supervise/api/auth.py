"""Token authentication of the JSON API.

Each request carries ``Authorization: Bearer <token>``; the token is a user's personal API token
(``ApiToken``), and the request acts as that user, with that user's role and permissions. The API
never reads the session cookie: views take the user from :func:`api_user`, not Flask-Login.
"""

from datetime import timedelta

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from supervise.api.errors import ApiError
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import ApiToken, Role, User
from supervise.models.api import hash_secret

#: The roles that may use the API: units' staff and supervisors, working from their own systems.
API_ROLES = frozenset({Role.HANDLER, Role.LEADER, Role.SUPERVISOR})
#: Endpoints open without a token.
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})
#: ``last_used_at`` is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)
DEFAULT_RATE_LIMIT = "120 per minute"


def bearer_secret() -> str | None:
    """The token sent in the Authorization header, if any."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    return secret


def _unauthorized(message) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def authenticate() -> None:
    """Before every API view: find the token's user or refuse (401 unknown, 403 a role without API access)."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    secret = bearer_secret()
    if secret is None:
        raise _unauthorized(_l("Send your API token as: Authorization: Bearer <token>."))
    token = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_secret(secret), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        raise _unauthorized(_l("The API token is unknown or has been revoked."))
    if token.user.role not in API_ROLES:
        raise ApiError(403, _l("Only units and supervisors may use the API."))
    at = now()
    if token.last_used_at is None or at - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = at
        db.session.commit()
    g.api_token = token


def api_user() -> User:
    """The user the current API request acts as."""
    return g.api_token.user


def api_token() -> ApiToken:
    return g.api_token


def rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def rate_limit_key() -> str:
    """Each token has its own budget; requests without one share their address's."""
    secret = bearer_secret()
    return "api-token:" + hash_secret(secret)[:32] if secret else "api-addr:" + (get_remote_address() or "")
