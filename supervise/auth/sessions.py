"""Logging in and out. Each login is a :class:`~supervise.models.UserSession` row and the session and
remember cookies carry its id, so the server decides when a session ends: at logout, at a new
password, or ``REMEMBER_COOKIE_DAYS`` after the login, whichever comes first."""

from datetime import datetime

from flask import current_app, request
from flask_login import current_user, login_user, logout_user

from supervise.domain.clock import now
from supervise.models import User, UserSession


def log_in(user: User, remember: bool = False) -> None:
    """Start a new login session for ``user`` in this browser; ``remember`` keeps it past the
    browser's closing (a remember cookie as long as the session may last)."""
    UserSession.end_expired(_oldest_start())
    user.open_session()
    login_user(user, remember=remember)


def log_out() -> None:
    """End this browser's login session: its cookies, and every copy of them, are refused from now."""
    if current_user.is_authenticated:
        UserSession.end(current_user.get_id())
    logout_user()


def log_in_again(user: User) -> None:
    """After ``user`` set a new password in this browser (which ended every session of theirs): go on
    in a new session, remembered if this browser was."""
    log_in(user, remember=current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies)


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the user of a login session that still runs."""
    return User.from_session_id(session_id, started_after=_oldest_start())


def _oldest_start() -> datetime:
    return now() - current_app.config["REMEMBER_COOKIE_DURATION"]
