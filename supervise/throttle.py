"""Throttling: what each limit counts against, and how long a refused client must wait.

The limits themselves are settings (``LOGIN_RATE_LIMIT``, ``LOGIN_ACCOUNT_RATE_LIMIT``,
``REGISTER_RATE_LIMIT``, ``LOOKUP_RATE_LIMIT``, ``OPEN311_POST_RATE_LIMIT`` (per Open311 key),
``API_RATE_LIMIT`` (per API token); a request without a key or token counts against its address. A
client's address is its own even behind reverse proxies: ``TRUSTED_PROXIES`` (create_app) takes it
from their X-Forwarded-For header, else every user would share the proxy's budget.
"""

import math
import time
from collections.abc import Callable

from flask import current_app, request
from flask_babel import ngettext

from supervise.extensions import limiter

USERNAME_CHARS = 60  # the login form's longest username


def configured(setting: str) -> Callable[[], str]:
    """The limit held in ``setting``, read on each request."""
    return lambda: current_app.config[setting]


def login_account() -> str:
    """What a login attempt counts against besides its address: the account it names, so that
    guesses at one password from many addresses are slowed all the same."""
    return "login-account:" + (request.form.get("username") or "").strip()[:USERNAME_CHARS]


def open311_key() -> str:
    """What an Open311 POST counts against: its API key (each key, one partner system, has its own
    budget however many addresses it posts from or shares), else its address. Only a hash of the key
    is kept by the limiter."""
    from flask_limiter.util import get_remote_address

    from supervise.models import hash_secret

    secret = (request.values.get("api_key") or request.headers.get("X-Api-Key") or "").strip()
    return "open311-key:" + hash_secret(secret)[:32] if secret else "open311-addr:" + (get_remote_address() or "")


def seconds_to_wait() -> int | None:
    """Seconds until the limits this request broke let it through again; None when none broke."""
    broken = [limit for limit in limiter.current_limits if limit.breached] or [
        limit for limit in [limiter.current_limit] if limit is not None
    ]
    if not broken:
        return None
    # As Flask-Limiter computes its Retry-After header, so that the page and the header agree.
    return max(1, int(max(limit.reset_at for limit in broken) - time.time()))


def wait_message() -> str | None:
    """ "Try again in N seconds" (or minutes) for the 429 page, in the user's language."""
    seconds = seconds_to_wait()
    if seconds is None:
        return None
    if seconds <= 120:
        return ngettext(
            "Too many attempts. Please try again in %(num)s second.",
            "Too many attempts. Please try again in %(num)s seconds.",
            seconds,
        )
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many attempts. Please try again in %(num)s minute.",
        "Too many attempts. Please try again in %(num)s minutes.",
        minutes,
    )
