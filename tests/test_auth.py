"""Logging in and out, sessions that end on the server, the cookies, and redirects after login or a
language switch that never leave the site."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from supervise import create_app
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import User, UserSession
from supervise.redirects import local_target
from tests.factories import PASSWORD

NEW_PASSWORD = "Fresh-pass-2026"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PRODUCTION_KEY = "k" * 32


def log_in(client, user: User, remember: bool = False, next_url: str | None = None):
    """Log in through the login form, as a browser does."""
    g.pop("_login_user", None)
    data = {"username": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    path = "/auth/login" + (f"?next={quote(next_url, safe='%')}" if next_url is not None else "")
    return client.post(path, data=data)


def page_status(client, path: str = "/unit/") -> int:
    g.pop("_login_user", None)
    return client.get(path).status_code


def copy_of(client, app, name: str):
    """Another browser holding a copy of ``client``'s cookie ``name``, as a thief would."""
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


# --- a new password ------------------------------------------------------------------------------


def test_changing_ones_own_password_keeps_this_browser_logged_in(app, world):
    browser = app.test_client()
    assert log_in(browser, world.handler).status_code == 302
    g.pop("_login_user", None)
    response = browser.post("/auth/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/unit/"
    assert page_status(browser) == 200
    db.session.expire_all()
    assert db.session.get(User, world.handler.id).check_password(NEW_PASSWORD)


def test_a_new_password_ends_every_other_session_and_every_copy_of_this_ones_old_cookie(app, world):
    browser, other_device = app.test_client(), app.test_client()
    log_in(browser, world.handler, remember=True)
    log_in(other_device, world.handler, remember=True)
    old_session, old_remember = copy_of(browser, app, "session"), copy_of(browser, app, "remember_token")
    g.pop("_login_user", None)
    browser.post("/auth/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert page_status(browser) == 200
    assert page_status(other_device) == 302
    assert page_status(old_session) == 302 and page_status(old_remember) == 302
    # The browser was remembered before: it still is, under its new session.
    assert page_status(copy_of(browser, app, "remember_token")) == 200
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_an_administrator_resetting_their_own_password_goes_on_and_their_other_sessions_end(app, world):
    browser, other_device = app.test_client(), app.test_client()
    log_in(browser, world.admin)
    log_in(other_device, world.admin)
    g.pop("_login_user", None)
    response = browser.post(
        f"/admin/users/{world.admin.id}/password", data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert page_status(browser, "/admin/") == 200 and page_status(other_device, "/admin/") == 302


def test_a_wrong_current_password_changes_nothing(app, world):
    browser = app.test_client()
    log_in(browser, world.handler)
    g.pop("_login_user", None)
    response = browser.post(
        "/auth/password", data={"current": "Wrong-pass-000", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 200 and "The current password is wrong." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.handler.id).check_password(PASSWORD)
    assert page_status(browser) == 200


# --- logging out ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_cookie_captured_before_logout_is_refused_after_it(app, world, cookie):
    browser = app.test_client()
    log_in(browser, world.handler, remember=True)
    thief = copy_of(browser, app, cookie)
    assert page_status(thief) == 200
    g.pop("_login_user", None)
    assert browser.post("/auth/logout").status_code == 302
    assert page_status(thief) == 302
    assert page_status(browser) == 302


def test_logging_out_ends_only_this_browsers_session(app, world):
    browser, other_device = app.test_client(), app.test_client()
    log_in(browser, world.handler)
    log_in(other_device, world.handler)
    g.pop("_login_user", None)
    browser.post("/auth/logout")
    assert page_status(browser) == 302 and page_status(other_device) == 200


def test_a_session_ends_remember_cookie_days_after_the_login(app, world):
    browser = app.test_client()
    log_in(browser, world.handler, remember=True)
    assert page_status(browser) == 200
    row = db.session.scalar(select(UserSession))
    row.created_at = now() - app.config["REMEMBER_COOKIE_DURATION"] - timedelta(minutes=1)
    db.session.commit()
    assert page_status(browser) == 302
    assert page_status(copy_of(browser, app, "remember_token")) == 302
    log_in(app.test_client(), world.leader)  # a login forgets the sessions that ran out
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_only_a_hash_of_the_session_id_is_stored(app, world):
    browser = app.test_client()
    log_in(browser, world.handler)
    with browser.session_transaction() as sess:
        session_id = sess["_user_id"]
    stored = db.session.scalar(select(UserSession.token_hash))
    assert str(world.handler.id) != session_id and session_id not in stored and len(session_id) >= 40


# --- cookies and headers in production -----------------------------------------------------------


class _HttpsClient(FlaskClient):
    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", "https://localhost")
        return super().open(*args, **kwargs)


@pytest.fixture
def production(app):
    """The production configuration on the test database; HTTPS, as behind the proxy."""
    prod = create_app(
        "production",
        SECRET_KEY=PRODUCTION_KEY,
        UPLOAD_DIR=app.config["UPLOAD_DIR"],
        PUBLIC_BASE_URL="https://localhost",
        TRUSTED_HOSTS=["localhost"],
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
    )
    prod.test_client_class = _HttpsClient
    return prod.test_client()


def production_log_in(client, user: User, remember: bool):
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "username": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    # Over HTTPS the CSRF check wants the page the form came from, as a browser sends it.
    return client.post("/auth/login", data=data, headers={"Referer": "https://localhost/auth/login"})


@pytest.mark.committed  # the production app has an engine of its own
def test_the_remember_cookie_is_lax_http_only_secure_and_lasts_remember_cookie_days(production, world):
    response = production_log_in(production, world.handler, remember=True)
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    lifetime = production.get_cookie("remember_token").expires - datetime.now(UTC)
    assert timedelta(days=13, hours=23) < lifetime <= timedelta(days=14)
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "SameSite=Lax" in session_cookie and "HttpOnly" in session_cookie and "Secure" in session_cookie


@pytest.mark.committed  # the production app has an engine of its own
def test_production_asks_browsers_for_https_only(production, client):
    assert production.get("/").headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/").headers  # development: plain HTTP


@pytest.mark.committed  # the production app has an engine of its own
def test_logged_in_pages_and_the_login_response_are_never_stored(production, world):
    assert "no-store" not in production.get("/").headers.get("Cache-Control", "")
    response = production_log_in(production, world.handler, remember=False)
    assert response.headers["Cache-Control"] == "no-store"
    for path in ["/unit/", "/", "/disclosure", "/notifications/", "/auth/password", "/no-such-page"]:
        assert production.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in production.get("/static/css/app.css").headers.get("Cache-Control", "")


@pytest.mark.parametrize("key", ["", "x", "k" * 31, "dev-only-not-secret"])
def test_production_refuses_a_missing_or_short_secret_key(app, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=key, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_starts_with_a_32_byte_secret_key():
    assert create_app("production", SECRET_KEY=PRODUCTION_KEY, SQLALCHEMY_DATABASE_URI="sqlite://").secret_key


# --- redirects to a visitor's target -------------------------------------------------------------

# Each is "//evil.com" or another site to a browser (which drops tab and newline, strips leading
# blanks and reads a backslash as a slash), or a scheme.
BYPASSES = [
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\n/evil.com",
    " //evil.com",
    "\t//evil.com",
    "https://evil.com",
    "https:evil.com",
    "http:/evil.com",
    "javascript:alert(1)",
    "evil.com",
    "/\\/evil.com",
    "\\/evil.com",
    "\x00//evil.com",
    "/%09/evil.com",
    "%2F%2Fevil.com",
    "/%5Cevil.com",
    "%5C%5Cevil.com",
    "/%0a/evil.com",
    "https:%2F%2Fevil.com",
]


def as_browser_reads(location: str) -> tuple[str, str]:
    """The scheme and host a browser goes to for ``location`` (after its clean-up)."""
    cleaned = re.sub(r"[\t\n\r]", "", location.strip("".join(chr(c) for c in range(0x21)))).replace("\\", "/")
    parts = urlsplit(cleaned)
    return parts.scheme, parts.netloc


@pytest.mark.parametrize("target", BYPASSES)
def test_the_language_switch_never_sends_the_browser_to_another_site(client, target):
    response = client.get(f"/language/zh_CN?next={quote(target, safe='%')}")
    assert_stays_on_the_site(response, target)


@pytest.mark.parametrize("target", BYPASSES)
def test_logging_in_never_sends_the_browser_to_another_site(app, world, target):
    response = log_in(app.test_client(), world.handler, next_url=target)
    assert_stays_on_the_site(response, target)


def assert_stays_on_the_site(response, target: str) -> None:
    if "\x00" in target:  # a NUL byte in the address is refused before any view runs
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302
    assert as_browser_reads(response.headers["Location"]) == ("", ""), response.headers["Location"]


@pytest.mark.parametrize("target", BYPASSES)
def test_no_known_bypass_is_a_local_target(target):
    from urllib.parse import unquote

    assert local_target(target) is None or as_browser_reads(local_target(target)) == ("", "")
    assert local_target(unquote(target)) is None


def test_a_path_on_this_site_is_kept(app, world, client):
    assert client.get("/language/en?next=/disclosure%3Fq%3D1").headers["Location"] == "/disclosure?q=1"
    response = log_in(app.test_client(), world.handler, next_url="/unit/?tab=mine")
    assert response.headers["Location"] == "/unit/?tab=mine"
    assert local_target("/a/b?c=d#e") == "/a/b?c=d#e"


def test_a_newline_in_next_falls_back_to_the_home_page(app, world, client):
    assert client.get("/language/en?next=/disclosure%0d%0aSet-Cookie:x=1").headers["Location"] == "/"
    response = log_in(app.test_client(), world.handler, next_url="/unit/\r\nX-Evil: 1")
    assert response.status_code == 302 and response.headers["Location"] == "/unit/"
