"""Publication changes show on the very next request, in every process and every cache mode.

The apps here run as deployed: the page cache on, either one SimpleCache per process (two apps are
two gunicorn processes) or one RedisCache they share (the real Redis of TEST_REDIS_URL).
"""

import os
import uuid

import pytest
from sqlalchemy import update

from supervise.domain import public_generation, workflow
from supervise.extensions import cache, db
from supervise.models import State, Ticket
from tests.factories import advance, file_ticket, publish
from tests.production import production_like

pytestmark = pytest.mark.committed  # the production-like apps have engines of their own

TITLE = "职工子女入学难"  # the factories' public title


def _cache_settings(mode: str) -> dict:
    if mode == "SimpleCache":
        return {"CACHE_TYPE": "SimpleCache"}
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("TEST_REDIS_URL is required (REQUIRE_SERVICES=1)", pytrace=False)
        pytest.skip("TEST_REDIS_URL is not set")
    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}:"}


@pytest.fixture(params=["SimpleCache", "RedisCache"])
def processes(request, app):
    """Two web processes with the page cache as deployed in that mode."""
    settings = _cache_settings(request.param)
    with production_like(app, **settings) as one, production_like(app, **settings) as two:
        yield [one, two]
        for process in (one, two):
            with process.app_context():
                cache.clear()


@pytest.fixture
def ticket(world):
    published = publish(world, advance(world, file_ticket(world), State.DISPATCHED))
    db.session.commit()
    return published


def _pages(ticket: Ticket) -> list[str]:
    return [
        "/",
        "/disclosure",
        f"/disclosure/{ticket.tracking_no}",
        "/feeds/problems.atom",
        f"/feeds/units/{ticket.lead_unit_id}/problems.atom",
    ]


def _shown(processes, urls) -> dict[tuple[int, str], tuple[int, bool]]:
    """For each process and page: the status and whether the public title is on it."""
    seen = {}
    for n, process in enumerate(processes):
        client = process.test_client()
        for url in urls:
            response = client.get(url)
            seen[n, url] = (response.status_code, TITLE in response.get_data(as_text=True))
    return seen


def _bypass_the_orm(ticket: Ticket, **values) -> None:
    """Change a row without the flush that raises the generation: only an expiry would show it."""
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**values))
    db.session.commit()


def test_a_withdrawal_is_gone_on_the_very_next_request_in_every_process(processes, world, ticket):
    urls = _pages(ticket)
    assert set(_shown(processes, urls).values()) == {(200, True)}
    _bypass_the_orm(ticket, public_title="未经发布流程的改动")
    assert set(_shown(processes, urls).values()) == {(200, True)}  # every page comes from the cache

    workflow.perform(ticket, "unpublish", world.supervisor, note="企业要求撤回")
    db.session.commit()

    after = _shown(processes, urls)
    assert after.pop((0, urls[2])) == after.pop((1, urls[2])) == (404, False)
    assert set(after.values()) == {(200, False)}


def test_an_edited_public_text_shows_on_the_very_next_request(processes, world, ticket):
    urls = _pages(ticket)
    _shown(processes, urls)
    workflow.perform(
        ticket,
        "publish",
        world.supervisor,
        public_title="学位紧张问题",
        public_summary="某企业反映职工子女入学没有学位。",
    )
    db.session.commit()
    for n, process in enumerate(processes):
        client = process.test_client()
        for url in urls:
            assert "学位紧张问题" in client.get(url).get_data(as_text=True), (n, url)


def test_a_unit_rename_shows_on_the_very_next_request(processes, world, ticket):
    url = f"/disclosure/{ticket.tracking_no}"
    _shown(processes, [url])
    world.edu.name = "区教育和体育局"
    db.session.commit()
    for process in processes:
        assert "区教育和体育局" in process.test_client().get(url).get_data(as_text=True)


def test_open311_shows_a_withdrawal_on_the_very_next_request(processes, world, ticket):
    url = f"/open311/v2/requests/{ticket.tracking_no}.json"
    client = processes[0].test_client()
    assert client.get(url).json[0]["description"]
    workflow.perform(ticket, "unpublish", world.supervisor, note="企业要求撤回")
    db.session.commit()
    assert not client.get(url).json[0].get("description")


# ---------------------------------------------------------------- what browsers and proxies keep


@pytest.mark.parametrize("url", ["/disclosure", "/feeds/problems.atom"])
def test_browsers_and_proxies_must_revalidate_public_pages_and_feeds(app, world, ticket, url):
    with production_like(app) as site:
        client = site.test_client()
        first = client.get(url)
        assert first.headers["Cache-Control"] == "no-cache"
        assert "max-age" not in first.headers["Cache-Control"]
        etag = first.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

        workflow.perform(ticket, "unpublish", world.supervisor, note="企业要求撤回")
        db.session.commit()
        changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert TITLE not in changed.get_data(as_text=True)


def test_a_logged_in_users_page_is_kept_by_no_shared_cache(app, world, client, login):
    login(world.supervisor)
    assert client.get("/disclosure").headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- what raises the generation


def test_publication_changes_raise_the_generation_and_a_tickets_progress_does_not(world):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    before = public_generation.current()  # filing and handling an unpublished ticket: no change
    publish(world, ticket)
    db.session.commit()
    published = public_generation.current()
    assert published > before

    workflow.perform(ticket, "note", world.handler, note="已联系学校")
    db.session.commit()
    assert public_generation.current() == published  # progress shows within PUBLIC_CACHE_SECONDS

    workflow.perform(ticket, "add_redaction_term", world.supervisor, term="张三")
    db.session.commit()
    masked = public_generation.current()
    assert masked > published

    workflow.perform(ticket, "unpublish", world.supervisor, note="企业要求撤回")
    db.session.commit()
    assert public_generation.current() > masked


def test_a_change_rolled_back_leaves_the_generation(world, ticket):
    before = public_generation.current()
    ticket.public_title = "未提交的标题"
    db.session.flush()
    db.session.rollback()
    assert public_generation.current() == before
