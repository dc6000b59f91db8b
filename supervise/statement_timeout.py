"""A slow query cannot take the site down: on PostgreSQL, every transaction a web request opens runs
under ``statement_timeout`` (``WEB_STATEMENT_TIMEOUT_MS``), so a query that would hold a worker for
long is cancelled and the request answers 503 with advice to try again (:mod:`supervise.errors`).

Set with ``SET LOCAL`` when the session begins each transaction inside a request: it ends with the
transaction, so a pooled connection never carries it into a job, a command or a migration, which run
outside requests and keep the server's own setting.
"""

from flask import current_app, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event


def _after_begin(_session: Session, _transaction, connection) -> None:
    if not has_request_context() or connection.dialect.name != "postgresql":
        return
    milliseconds = int(current_app.config.get("WEB_STATEMENT_TIMEOUT_MS") or 0)
    if milliseconds > 0:
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")


def connect() -> None:
    """Limit the statements of every web request's transactions. Idempotent."""
    if not event.contains(Session, "after_begin", _after_begin):
        event.listen(Session, "after_begin", _after_begin)
