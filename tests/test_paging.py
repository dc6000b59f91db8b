"""The one keyset pager (supervise.paging): the cursor, the pages, the links, and a list that uses it."""

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.exceptions import BadRequest

from supervise import paging
from supervise.extensions import db
from supervise.models import Notification, Role, User
from tests.factories import make_user

BY_ID = (User.id,)
BY_TIME = (User.created_at, User.id)


def users(count: int, at: datetime | None = None) -> list[User]:
    rows = [make_user(Role.SUPERVISOR, username=f"pager{i}") for i in range(count)]
    for row in rows:
        row.created_at = at or row.created_at
    db.session.commit()
    return rows


def test_a_cursor_is_the_id_or_the_key_values_joined():
    row = User(id=42, created_at=datetime(2026, 3, 1, 9, 30, 5))
    assert paging.encode(row, BY_ID) == "42"
    assert paging.encode(row, BY_TIME) == "20260301093005-42"
    assert paging.decode("42", BY_ID) == (42,)
    assert paging.decode(" 42 ", BY_ID) == (42,)
    assert paging.decode("20260301093005-42", BY_TIME) == (datetime(2026, 3, 1, 9, 30, 5), 42)


def test_a_time_with_microseconds_keeps_them():
    row = User(id=7, created_at=datetime(2026, 3, 1, 9, 30, 5, 120))
    assert paging.decode(paging.encode(row, BY_TIME), BY_TIME) == (row.created_at, 7)


@pytest.mark.parametrize(
    "cursor, key",
    [
        (None, BY_ID),
        ("", BY_ID),
        ("x", BY_ID),
        ("-1", BY_ID),
        ("0", BY_ID),
        ("²", BY_ID),
        ("9223372036854775808", BY_ID),
        ("1-2", BY_ID),
        ("42", BY_TIME),
        ("garbage", BY_TIME),
        ("20260101000000-x", BY_TIME),
        ("20260230000000-1", BY_TIME),
        ("2026010100000-1", BY_TIME),
        ("20260101000000-9223372036854775808", BY_TIME),
        ("+2026010100000-1", BY_TIME),
    ],
)
def test_what_is_no_cursor_decodes_to_none(cursor, key):
    assert paging.decode(cursor, key) is None


def test_pages_follow_each_other_newest_first_and_the_last_has_no_next(world):
    rows = users(5)
    query = db.select(User).where(User.username.startswith("pager"))
    newest = [r.id for r in sorted(rows, key=lambda r: r.id, reverse=True)]

    seen, values, cursors = [], None, []
    while True:
        items, cursor = paging.fetch(query, BY_ID, values, per_page=2)
        seen.append([r.id for r in items])
        cursors.append(cursor)
        if cursor is None:
            break
        values = paging.decode(cursor, BY_ID)

    assert seen == [newest[0:2], newest[2:4], newest[4:]]
    assert cursors == [str(newest[1]), str(newest[3]), None]


def test_a_list_of_exactly_full_pages_ends_without_an_empty_page(world):
    users(4)
    query = db.select(User).where(User.username.startswith("pager"))
    first, cursor = paging.fetch(query, BY_ID, None, per_page=2)
    second, after_second = paging.fetch(query, BY_ID, paging.decode(cursor, BY_ID), per_page=2)
    assert len(first) == len(second) == 2 and after_second is None


def test_rows_at_the_same_time_page_by_id(world):
    """A key of a time and the id: ties on the time are broken by the id, none skipped or repeated."""
    same = datetime(2026, 3, 1, 9, 0, 0)
    rows = users(3, at=same)
    query = db.select(User).where(User.username.startswith("pager"))
    first, cursor = paging.fetch(query, BY_TIME, None, per_page=2)
    second, last = paging.fetch(query, BY_TIME, paging.decode(cursor, BY_TIME), per_page=2)
    assert [r.id for r in first + second] == sorted((r.id for r in rows), reverse=True)
    assert cursor.startswith("20260301090000-") and last is None


def test_the_links_keep_the_list_arguments_and_show_first_only_past_the_first_page(app, world):
    users(3)
    query = db.select(User).where(User.username.startswith("pager"))
    with app.test_request_context("/admin/users?role=supervisor"):
        page = paging.keyset_page(query, BY_ID, per_page=2, endpoint="admin.users", args={"role": "supervisor"})
    assert page.first_url is None and len(page.items) == 2
    link = urlsplit(page.next_url)
    assert link.path == "/admin/users"
    assert parse_qs(link.query) == {"role": ["supervisor"], "after": [page.next_cursor]}

    with app.test_request_context(page.next_url):
        last = paging.keyset_page(query, BY_ID, per_page=2, endpoint="admin.users", args={"role": "supervisor"})
    assert len(last.items) == 1 and last.next_url is None and last.next_cursor is None
    assert last.first_url == "/admin/users?role=supervisor"


def test_an_anchor_goes_on_both_links(app, world):
    users(3)
    query = db.select(User).where(User.username.startswith("pager"))
    with app.test_request_context("/admin/rules?after=999999"):
        page = paging.keyset_page(query, BY_ID, per_page=2, endpoint="admin.rules", anchor="history")
    assert page.next_url.endswith("#history") and page.first_url == "/admin/rules#history"


def test_a_bad_cursor_is_a_400_or_with_strict_false_the_first_page(app):
    with app.test_request_context("/admin/users?after=abc"):
        with pytest.raises(BadRequest) as refused:
            paging.cursor_arg(BY_ID)
        assert "after" in refused.value.description
        assert paging.cursor_arg(BY_ID, strict=False) is None
    with app.test_request_context("/admin/users?after="):
        assert paging.cursor_arg(BY_ID) is None


def test_the_notification_centre_pages_with_first_and_next_links(world, login, monkeypatch):
    monkeypatch.setattr("supervise.notifications.routes.PER_PAGE", 2)
    user = world.enterprise_user
    notes = [Notification(user_id=user.id, subject=f"通知{i}", body="", link="/my/") for i in range(3)]
    db.session.add_all(notes)
    db.session.commit()
    client = login(user)

    first = client.get("/notifications/").get_data(as_text=True)
    assert "通知2" in first and "通知1" in first and "通知0" not in first
    assert f'href="/notifications/?after={notes[1].id}" rel="next"' in first and "First page" not in first
    last = client.get(f"/notifications/?after={notes[1].id}").get_data(as_text=True)
    assert "通知0" in last and "通知1" not in last
    assert 'rel="next"' not in last and 'href="/notifications/"' in last
    assert client.get("/notifications/?after=abc").status_code == 400
