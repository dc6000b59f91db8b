"""Every response carries the security headers; no template needs the policy relaxed."""

import re
from pathlib import Path

import pytest

from supervise.headers import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parent.parent / "supervise" / "templates"
# What a strict Content-Security-Policy refuses: inline script, inline style, event-handler attributes,
# javascript: links.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)


@pytest.mark.parametrize("path", ["/", "/disclosure", "/stats", "/auth/login", "/no-such-page"])
def test_pages_allow_only_the_platforms_own_files(client, world, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_machine_interfaces_carry_them_too(client):
    assert client.get("/open311/v2/discovery.json").headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in client.get("/api/v1/openapi.json").headers


def test_no_template_has_inline_script_style_or_handlers():
    found = [
        f"{p.relative_to(TEMPLATES)}: {m.group(0)}"
        for p in sorted(TEMPLATES.rglob("*.html"))
        for m in INLINE.finditer(p.read_text(encoding="utf-8"))
    ]
    assert found == []
