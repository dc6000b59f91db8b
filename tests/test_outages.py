"""Outages of Redis and of the database, in the production configuration.

The platform runs as in production (gunicorn, ``SUPERVISE_ENV=production``: limiter on, pages cached in
Redis, jobs to RQ) against servers the test starts on ports of their own, stops and starts again: a
redis-server, and for the database a throwaway PostgreSQL cluster. The app is never restarted.
"""

import json
from xml.etree import ElementTree as ET

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from supervise import create_app
from supervise.extensions import db
from supervise.models import ApiToken, OutboxMessage, State, Ticket
from supervise.open311 import keys
from tests import factories
from tests.factories import advance, complaint_form, file_ticket

pytestmark = [pytest.mark.redis, pytest.mark.committed]  # other processes read the data


def _credentials(world) -> dict:
    """An Open311 key, a handler's API token and a ticket of the handler's unit in progress (committed)."""
    _key, open311_key = keys.issue("city hotline")
    token, api_token = ApiToken.issue(world.handler, "unit system")
    db.session.add(token)
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    return {"open311_key": open311_key, "api": {"Authorization": f"Bearer {api_token}"}, "ticket": ticket.id}


# ---------------------------------------------------------------- Redis down


@pytest.fixture
def production(app, world, redis_server, app_server):
    """The platform in production configuration on the test database and the test's own Redis."""
    return app_server(app.config["SQLALCHEMY_DATABASE_URI"], redis_server.url)


def test_with_redis_stopped_every_page_and_every_post_of_the_production_app_works(world, production, redis_server):
    creds = _credentials(world)
    visitor, enterprise, applicant = production.browser(), production.browser(), production.browser()
    enterprise.login(world.enterprise_user.username)
    visitor_token, enterprise_token = visitor.csrf_token(), enterprise.csrf_token("/my/new")
    assert visitor.get("/disclosure").status_code == 200  # Redis up: limits and pages in Redis

    redis_server.stop()
    for path in ("/", "/disclosure", "/rules", "/lookup", "/auth/login", "/auth/register", "/stats"):
        assert visitor.get(path).status_code == 200, path
    for path in ("/my/", "/my/new", "/notifications/"):
        assert enterprise.get(path).status_code == 200, path
    assert applicant.login(world.handler.username).get("/unit/").status_code == 200  # login POST

    wrong = visitor.post("/auth/login", data={"csrf_token": visitor_token, "username": "acme", "password": "no"})
    assert wrong.status_code == 200 and "csrf_token" in wrong.text
    registration = visitor.post("/auth/register", data={"csrf_token": visitor_token, "username": "x"})
    assert registration.status_code == 200  # the form again, with its errors
    lookup = visitor.post("/lookup", data={"csrf_token": visitor_token, "tracking_no": "X", "code": "Y"})
    assert lookup.status_code == 200

    filed = enterprise.post("/my/new", data=complaint_form(world, key="redis-down", csrf_token=enterprise_token))
    assert filed.status_code == 302, filed.text[:500]
    ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))  # keys are stored hashed
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id)).all()
    # E-mail and SMS wait in the outbox until the relay runs; in-app notices came with the event.
    assert {m.status for m in waiting if m.channel != "inapp"} == {"pending"}
    assert {m.status for m in waiting if m.channel == "inapp"} == {"sent"}

    open311 = visitor.post("/open311/v2/requests.json", data=factories.filing(world, creds["open311_key"]))
    assert open311.status_code == 201, open311.text
    assert visitor.get("/open311/v2/services.xml").status_code == 200
    assert visitor.get("/api/v1/me", headers=creds["api"]).status_code == 200
    noted = visitor.post(
        f"/api/v1/tickets/{creds['ticket']}/actions/note", headers=creds["api"], json={"note": "已联系企业"}
    )
    assert noted.status_code == 200, noted.text

    redis_server.start()
    assert visitor.get("/disclosure").status_code == 200
    assert enterprise.get("/my/").status_code == 200


def test_the_login_limit_still_holds_in_memory_while_redis_is_down(world, production, redis_server):
    visitor = production.browser()
    token = visitor.csrf_token()
    redis_server.stop()
    answers = [
        visitor.post("/auth/login", data={"csrf_token": token, "username": "acme", "password": "no"}).status_code
        for _ in range(11)
    ]
    assert answers == [200] * 10 + [429]  # LOGIN_RATE_LIMIT: 10 per minute


# ---------------------------------------------------------------- the database down


@pytest.fixture
def outage_database(app, postgres_server):
    """The throwaway PostgreSQL cluster, upgraded to head, with the test world in it."""
    other = create_app("test", SQLALCHEMY_DATABASE_URI=postgres_server.url, UPLOAD_DIR=app.config["UPLOAD_DIR"])
    with other.app_context():
        upgrade()
        world = factories.build_world()
        db.session.commit()
        creds = _credentials(world)
        facts = {
            "form": complaint_form(world, key="db-down"),
            "open311": factories.filing(world, creds["open311_key"]),
            "enterprise": world.enterprise_user.username,
            "supervisor": world.supervisor.username,
            **creds,
        }
        db.session.remove()
        db.engine.dispose()
    return facts


def _expect_unavailable(response, kind: str) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert int(response.headers["Retry-After"]) > 0
    content_type = response.headers["Content-Type"]
    if kind == "html":
        assert content_type.startswith("text/html") and "服务暂时不可用" in response.text
    elif kind == "api":
        assert content_type.startswith("application/json")
        assert response.json()["error"]["code"] == "service_unavailable"
    elif kind == "open311-json":
        assert content_type.startswith("application/json")
        assert json.loads(response.text)[0]["code"] == 503
    else:
        assert content_type.startswith("text/xml")
        assert ET.fromstring(response.content).find("error/code").text == "503"


def test_while_the_database_is_down_every_client_gets_503_in_its_format_and_it_recovers_without_restart(
    outage_database, postgres_server, redis_server, app_server
):
    facts = outage_database
    production = app_server(postgres_server.url, redis_server.url)
    visitor, enterprise, supervisor = production.browser(), production.browser(), production.browser()
    enterprise.login(facts["enterprise"])
    supervisor.login(facts["supervisor"])
    visitor_token, enterprise_token = visitor.csrf_token(), enterprise.csrf_token("/my/new")
    ticket_path = f"/api/v1/tickets/{facts['ticket']}"

    def requests_of_every_kind():
        """(what the answer should be like when the database is up, the request, its format when down)."""
        yield 200, visitor.get("/disclosure"), "html"
        yield 200, enterprise.get("/my/"), "html"
        yield 200, supervisor.get("/console/"), "html"
        yield (
            200,
            visitor.post("/auth/login", data={"csrf_token": visitor_token, "username": "acme", "password": "wrong"}),
            "html",
        )
        yield 302, enterprise.post("/my/new", data={**facts["form"], "csrf_token": enterprise_token}), "html"
        yield 200, visitor.get("/api/v1/me", headers=facts["api"]), "api"
        yield 200, visitor.post(f"{ticket_path}/actions/note", headers=facts["api"], json={"note": "进展"}), "api"
        yield 200, visitor.get("/open311/v2/services.json"), "open311-json"
        yield 200, visitor.get("/open311/v2/requests.xml"), "open311-xml"
        yield 200, visitor.get("/open311/v2/requests.xml?format=ignored"), "open311-xml"
        yield 201, visitor.post("/open311/v2/requests.json", data=facts["open311"]), "open311-json"
        yield (
            201,
            visitor.post("/open311/v2/requests.xml", data={**facts["open311"], "phone": "13912340000"}),
            "open311-xml",
        )

    postgres_server.stop()
    for _up, response, kind in requests_of_every_kind():
        _expect_unavailable(response, kind)

    postgres_server.start()
    for up, response, kind in requests_of_every_kind():
        assert response.status_code == up, (kind, response.request.url, response.status_code, response.text[:300])
