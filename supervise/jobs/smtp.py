"""One SMTP connection per worker process, kept open between messages and opened again on failure.

Opening a connection (TCP, EHLO, STARTTLS, AUTH) costs more than sending a short message; a worker
that delivers many keeps the one it has. A connection the server dropped (idle timeout, restart) is
noticed at the next message: it is opened again once and the message sent on the new one. A refusal
(``SMTPRecipientsRefused``, a 4xx/5xx reply) leaves the connection as it is and goes to the caller.
"""

import logging
import os
import smtplib
import threading

from flask import current_app
from flask_mail import Connection, Mail, Message

log = logging.getLogger(__name__)

#: Errors that mean the connection is gone, not that the server refused the message.
DROPPED = (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)

_local = threading.local()  # one connection per thread (the embedded worker, a worker process)


def mail_state():
    """Flask-Mail's settings of the current app, set up on first use."""
    return current_app.extensions.get("mail") or Mail(current_app).state


def _connection() -> Connection:
    """The connection kept for these settings in this process and thread, opened when there is none."""
    state = mail_state()
    key = (os.getpid(), id(state), state.server, state.port, state.use_ssl, state.use_tls, state.username)
    kept = getattr(_local, "kept", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    close()
    connection = Connection(state)
    connection.host = connection.configure_host()
    _local.kept = (key, connection)
    return connection


def close() -> None:
    """Close the kept connection, if any (QUIT, or just the socket when the server is gone)."""
    kept = getattr(_local, "kept", None)
    _local.kept = None
    if kept is None or kept[1].host is None:
        return
    host = kept[1].host
    try:
        host.quit()
    except (smtplib.SMTPException, OSError):
        host.close()


def send(message: Message) -> None:
    """Send ``message`` on the kept connection, reconnecting once if the old one was dropped."""
    if mail_state().suppress:  # Flask-Mail's testing switch: nothing leaves, the message is only recorded
        with Connection(mail_state()) as connection:
            connection.send(message)
        return
    try:
        _connection().send(message)
    except DROPPED as err:
        log.info("SMTP connection lost (%s); connecting again", err)
        close()
        _connection().send(message)
