"""Test fixtures: an app on an empty database upgraded to head, a client, a small world of units,
categories, enterprises and one user per role, and helpers to log in and move tickets along.

The database is SQLite in memory by default; ``TEST_DATABASE_URL`` points the whole suite at
PostgreSQL (``make test`` in CI runs both).
"""

import os
import tempfile

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from supervise import create_app
from supervise.extensions import db
from supervise.models import Category
from tests import factories


class _FreshRequestClient(FlaskClient):
    """Requests run inside the test's app context; give each one a fresh ``g``, as in production
    (Flask-Login caches the user there, the calendar is cached there)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(vars(g)):
                g.pop(key, None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    upload_dir = tempfile.mkdtemp(prefix="supervise-uploads-")
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        path = os.path.join(tempfile.mkdtemp(prefix="supervise-db-"), "test.sqlite3")
        url = f"sqlite:///{path}"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=upload_dir)
    app.test_client_class = _FreshRequestClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    yield app


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Each test starts from empty tables, inside an application context."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world():
    """Units, areas, categories with routing, two enterprises and a user for every role."""
    w = factories.build_world()
    db.session.commit()
    return w


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as ``user`` (through the real session)."""

    def do(user):
        # Requests share the test's app context, where Flask-Login caches the last user.
        g.pop("_login_user", None)
        session_id = user.open_session()
        db.session.commit()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_id
            sess["_fresh"] = True
        return client

    return do


@pytest.fixture
def approvals(world):
    """A second top-level area with one category, led by the HR bureau by default."""
    area = Category(name="行政审批")
    projects = Category(name="项目审批", parent=area, default_lead_unit=world.hr)
    db.session.add_all([area, projects])
    db.session.flush()
    return area, projects
