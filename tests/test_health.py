"""Probes for load balancers: /healthz (the process answers) and /readyz (database at the migrations'
head, Redis when configured), against the real services; cheap, uncached, never throttled, no cookie."""

import pytest
from sqlalchemy import text

from supervise import create_app
from supervise.extensions import db
from tests.conftest import free_port
from tests.production import production_like


def _probe(client, path: str, status: int) -> dict:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # a probe every second must not make sessions
    return response.get_json()


def test_healthz_answers_without_session_or_cache(client):
    assert _probe(client, "/healthz", 200) == {"status": "ok"}


def test_readyz_is_ok_with_the_database_at_head(app, client):
    body = _probe(client, "/readyz", 200)
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == ("ok" if app.config["REDIS_URL"] else "not configured")


def test_readyz_is_down_when_the_database_is_behind_the_migrations(client):
    db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))  # rolled back after the test
    body = _probe(client, "/readyz", 503)
    assert body == {"status": "down", "checks": {"database": "behind migrations", "redis": body["checks"]["redis"]}}


def test_readyz_is_down_when_the_database_does_not_answer(app):
    nowhere = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    with production_like(app, SQLALCHEMY_DATABASE_URI=nowhere) as down:
        body = _probe(down.test_client(), "/readyz", 503)
        assert body["status"] == "down" and body["checks"]["database"] == "unreachable"
        assert _probe(down.test_client(), "/healthz", 200) == {"status": "ok"}  # alive all the same


@pytest.mark.redis
def test_readyz_reports_a_missing_redis_as_degraded_not_down(app, redis_server):
    with production_like(app, REDIS_URL=redis_server.url) as production:
        client = production.test_client()
        assert _probe(client, "/readyz", 200)["checks"]["redis"] == "ok"
        redis_server.stop()
        body = _probe(client, "/readyz", 200)
        assert body == {"status": "degraded", "checks": {"database": "ok", "redis": "unreachable"}}
        redis_server.start()
        assert _probe(client, "/readyz", 200)["status"] == "ok"


def test_probes_are_never_throttled(app):
    with production_like(app, RATELIMIT_DEFAULT="3 per minute") as production:
        client = production.test_client()
        for _ in range(10):
            _probe(client, "/healthz", 200)
            _probe(client, "/readyz", 200)
        statuses = {client.get("/disclosure").status_code for _ in range(5)}
        assert 429 in statuses  # the default limit is on: the probes are exempt from it


def test_probes_answer_any_host_in_production_style_without_cookie(app):
    # Production answers only its own host names; the probes too (balancers send the site's Host).
    with production_like(app, "production", TRUSTED_HOSTS=["example.org"]) as production:
        client = production.test_client()
        assert client.get("/healthz", headers={"Host": "example.org"}).status_code == 200
        assert "Set-Cookie" not in client.get("/readyz", headers={"Host": "example.org"}).headers


def test_the_probes_need_no_app_other_than_the_factory():
    built = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert {"health.healthz", "health.readyz", "health.metrics"} <= set(built.view_functions)
