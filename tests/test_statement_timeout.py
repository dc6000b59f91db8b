"""A slow query cannot take the site down (issue 10, item 2): on PostgreSQL a web request's statements
are cancelled after ``WEB_STATEMENT_TIMEOUT_MS``, and the page says so (503, try again) in the
client's format; jobs, commands and migrations run without the limit.

The page is made slow for real: another connection holds the tickets table locked (as a long
migration or a ``VACUUM FULL`` would), so the workbench's queries wait on the lock until the time
limit cancels them.
"""

import json
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from supervise.extensions import db
from supervise.models import ApiToken, State
from tests.factories import advance, file_ticket

pytestmark = pytest.mark.committed  # another connection locks what the request reads

TIMEOUT_MS = 300


@pytest.fixture(autouse=True)
def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's (run with TEST_DATABASE_URL)")


@pytest.fixture
def short_timeout(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEB_STATEMENT_TIMEOUT_MS", TIMEOUT_MS)


@contextmanager
def tickets_locked():
    """The tickets table locked by another connection until the block ends."""
    with db.engine.connect() as other:
        other.execute(text("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            other.rollback()


def test_a_page_whose_query_runs_past_the_time_limit_answers_503_and_asks_to_try_again(world, login, short_timeout):
    advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    client = login(world.handler)

    with tickets_locked():
        response = client.get("/unit/")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "The page took too long" in page and "please try again in a minute" in page
    # The site is fine again as soon as the query can run.
    assert client.get("/unit/").status_code == 200


def test_the_page_is_in_chinese_by_default(world, login, short_timeout):
    db.session.commit()
    client = login(world.supervisor)
    with tickets_locked():
        response = client.get("/console/?lang=zh_CN")
    assert response.status_code == 503
    assert "页面处理时间过长" in response.get_data(as_text=True)


def test_the_api_answers_503_as_json(world, client, short_timeout):
    token, secret = ApiToken.issue(world.handler, "unit system")
    db.session.add(token)
    db.session.commit()

    with tickets_locked():
        response = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 503
    assert response.mimetype.endswith("json")
    assert "took too long" in json.loads(response.get_data(as_text=True))["error"]["message"]


def test_outside_web_requests_statements_have_no_time_limit(app, short_timeout):
    """Jobs, commands and migrations run in an application context without a request."""
    assert db.session.scalar(text("SHOW statement_timeout")) == "0"
    with app.test_request_context("/"):
        db.session.rollback()  # a new transaction, begun inside the request
        assert db.session.scalar(text("SHOW statement_timeout")) == f"{TIMEOUT_MS}ms"
