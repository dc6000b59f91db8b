"""Absolute links, all on the public site's address (``PUBLIC_BASE_URL``), never on the request's.

The Host header is whatever the client sends: a link built from it (``url_for(_external=True)``,
``request.host_url``) points wherever the sender wishes, and a feed or page kept in the shared cache
would hand that link to everyone. Feeds, Open311, e-mail and SMS build their links here.
"""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError


def public_base_url() -> str:
    """The site's address, without a trailing slash, e.g. ``https://supervise.example.gov.cn``."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def absolute(path: str) -> str:
    """``path``, taken from the application's root (``/lookup``), as a link on the public site."""
    return public_base_url() + path


def external_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` as a link on the public site."""
    path = url_for(endpoint, **values)
    if has_request_context():
        # url_for starts with the mount point the server reports; PUBLIC_BASE_URL already ends there.
        path = path.removeprefix(request.script_root)
    return absolute(path)


def host_of(base_url: str) -> str:
    """The host name of an address, e.g. ``supervise.example.gov.cn``; "localhost" when it has none."""
    return urlsplit(base_url).hostname or "localhost"


def refuse_untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
    """The answer to a request for a host name not in ``TRUSTED_HOSTS``: a plain 400. No page
    template, which would build links on the refused host."""
    return _("This site does not answer to that host name."), 400, {"Content-Type": "text/plain; charset=utf-8"}
