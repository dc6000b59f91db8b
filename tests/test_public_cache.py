"""Anonymous public pages come from a shared cache; nothing personal is ever shared."""

import pytest
from sqlalchemy import update

from supervise.extensions import cache, db
from supervise.models import State, Ticket
from tests.factories import advance, file_ticket, publish


@pytest.fixture
def cached_app(app):
    saved = app.config["CACHE_TYPE"]
    app.config["CACHE_TYPE"] = "SimpleCache"
    cache.init_app(app)
    cache.clear()
    yield app
    app.config["CACHE_TYPE"] = saved
    cache.init_app(app)


def _published(world, title):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    publish(world, ticket)
    ticket.public_title = title
    db.session.commit()
    return ticket


def test_an_anonymous_page_is_served_from_the_cache_until_it_expires(cached_app, world, client):
    ticket = _published(world, "第一个公开的问题")
    assert "第一个公开的问题" in client.get("/disclosure").get_data(as_text=True)
    # Written past the ORM, so the public generation stays: only the cache's expiry shows it.
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(public_title="改过的标题"))
    db.session.commit()
    assert "第一个公开的问题" in client.get("/disclosure").get_data(as_text=True)  # the cached copy
    cache.clear()  # as the expiry would
    assert "改过的标题" in client.get("/disclosure").get_data(as_text=True)


def test_a_new_publication_shows_on_the_very_next_request(cached_app, world, client):
    _published(world, "第一个公开的问题")
    assert "第一个公开的问题" in client.get("/disclosure").get_data(as_text=True)
    _published(world, "第二个公开的问题")
    assert "第二个公开的问题" in client.get("/disclosure").get_data(as_text=True)


def test_each_language_has_its_own_copy(cached_app, world, client):
    client.get("/language/en")
    assert "Public disclosure" in client.get("/disclosure").get_data(as_text=True)
    client.get("/language/zh_CN")
    assert "信息公开" in client.get("/disclosure").get_data(as_text=True)


def test_a_logged_in_user_gets_a_fresh_page_with_their_name_never_a_shared_one(cached_app, world, client, login):
    login(world.supervisor)
    mine = client.get("/disclosure").get_data(as_text=True)
    assert world.supervisor.name in mine
    client.post("/auth/logout")
    anonymous = client.get("/disclosure").get_data(as_text=True)
    assert world.supervisor.name not in anonymous


def test_a_page_carrying_a_flash_message_is_not_shared(cached_app, world, client, login):
    login(world.supervisor)
    client.post("/auth/logout")  # flashes "You have logged out." onto the next page
    first = client.get("/").get_data(as_text=True)
    assert "You have logged out" in first
    assert "You have logged out" not in client.get("/").get_data(as_text=True)


def test_without_redis_each_process_keeps_thousands_of_pages(cached_app):
    """Flask-Caching's SimpleCache keeps 500 entries by default, fewer than the ticket pages a busy
    hour visits; the configured threshold keeps the first of a thousand."""
    for i in range(1000):
        cache.set(f"page-{i}", "<html>")
    assert cache.get("page-0") == "<html>"
