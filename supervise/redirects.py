"""Redirects to a target the visitor supplied (``?next=``): only ever to a path on this site.

Every view that sends the browser on to a user-supplied address asks :func:`local_target`, so the
open-redirect rule lives here alone.
"""

import re
from urllib.parse import urlsplit

from flask import redirect
from werkzeug.wrappers import Response

# What a browser does to a URL before reading it (WHATWG URL standard): leading and trailing C0
# controls and spaces are stripped, tab, CR and LF removed anywhere, and in http(s) URLs a backslash
# reads as a slash. "/\t/evil.com" and "/\\evil.com" are both "//evil.com" to a browser.
_EDGES = "".join(chr(c) for c in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def local_target(target: str | None) -> str | None:
    """``target`` as the browser would read it, if that is a path on this site; else None.

    A path starts with one slash: anything with a scheme (``https:evil.com``, ``javascript:``) or a
    host (``//evil.com``, ``///evil.com``, ``/\\evil.com``) is refused, judged after the browser's
    own clean-up (edges stripped, backslashes read as slashes). A control character inside (tab and
    newline, which the browser would drop; none may stand in a header) refuses the target outright.
    """
    if not target:
        return None
    cleaned = target.strip(_EDGES).replace("\\", "/")
    if _CONTROL.search(cleaned) or not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned


def redirect_to_next(target: str | None, fallback: str) -> Response:
    """Redirect to ``target`` when it is a path on this site (see :func:`local_target`), else to
    ``fallback``."""
    return redirect(local_target(target) or fallback)
