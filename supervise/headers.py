"""Security headers on every response.

The pages load nothing but the platform's own files (closed government intranets: no outside asset
at all), so the Content-Security-Policy allows only this origin: no inline script or style, no
plugins, no framing, forms posting only here. Templates keep to it: styles live in
``static/css/app.css``, scripts in ``static/js/app.js``, colours inside SVG as presentation
attributes (``fill``), which the policy does not govern. A response that sets its own policy keeps
it (attachments are served with ``default-src 'none'; sandbox``).
"""

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
