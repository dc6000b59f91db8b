"""Security headers on every response.

The pages load nothing but the platform's own files (closed government intranets: no outside asset
at all), so the Content-Security-Policy allows only this origin: no inline script or style, no
plugins, no framing, forms posting only here. Templates keep to it: styles live in
``static/css/app.css``, scripts in ``static/js/app.js``, colours inside SVG as presentation
attributes (``fill``), which the policy does not govern. A response that sets its own policy keeps
it (attachments are served with ``default-src 'none'; sandbox``).

A logged-in browser's responses (and the one that logs it in) are ``Cache-Control: no-store``: no
cache, shared or the browser's own, keeps a page meant for one person. Behind HTTPS
(``SESSION_COOKIE_SECURE``, production's default) browsers are told to use nothing else.
"""

from flask import Flask, Response, current_app, request, session

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


STRICT_TRANSPORT_SECURITY = "max-age=31536000"  # a year


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if _logged_in() and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def _logged_in() -> bool:
    """The session holds a login (Flask-Login's key): a logged-in page, or the response logging in.
    Static files stay cacheable."""
    return request.endpoint != "static" and "_user_id" in session


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
