"""Reference data (categories, units, areas, the calendar) is kept in each process and read again
once an administrator changes it, in every process; public pages read it instead of the database,
and their lists load only what they show."""

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from supervise.domain import calendar_admin, public_list, reference
from supervise.domain.calendar import load_calendar
from supervise.extensions import db
from supervise.models import Category, State
from tests.factories import advance, file_ticket, publish
from tests.production import production_like
from tests.test_public import BASE, published_ticket


def _queries(client, url: str) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_home_page_and_a_search_run_the_same_queries_however_many_rows_they_show(client, world):
    published_ticket(world, to=State.CLOSED, at=BASE)
    db.session.commit()
    few = {url: _queries(client, url) for url in ("/", "/disclosure?q=子女")}
    for i in range(10):
        published_ticket(world, world.hiring, at=BASE + timedelta(days=1, hours=i))
    db.session.commit()

    assert {url: _queries(client, url) for url in few} == few


def test_a_second_visit_reads_no_reference_data_from_the_database(client, world):
    ticket = published_ticket(world, to=State.CLOSED, at=BASE)
    db.session.commit()
    client.get("/disclosure")
    statements = []

    def record(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.get("/disclosure")
        client.get(f"/disclosure/{ticket.tracking_no}")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    read = " ".join(" ".join(s.split()) for s in statements)
    for table in ("FROM categories", "FROM units ORDER BY", "FROM areas", "FROM calendar_days"):
        assert table not in read


def test_a_list_row_carries_nothing_of_the_enterprise(client, world):
    published_ticket(world, to=State.CLOSED, at=BASE)
    db.session.commit()
    fields = {f.name for f in dataclasses.fields(public_list.PublicListItem)}

    assert not {"enterprise", "enterprise_id", "enterprise_label", "contact_name", "events"} & fields
    page = client.get("/disclosure").get_data(as_text=True)
    assert world.acme.name not in page


@pytest.mark.committed  # two apps, each with its own engine: two processes
def test_an_administrators_change_shows_in_every_process_on_the_next_request(app, world):
    ticket = publish(world, advance(world, file_ticket(world), State.DISPATCHED))
    db.session.commit()
    holiday = date(2026, 3, 4)  # a Wednesday
    with production_like(app, CACHE_TYPE="NullCache") as one, production_like(app, CACHE_TYPE="NullCache") as two:
        for process in (one, two):  # each keeps its copy
            page = process.test_client().get("/disclosure").get_data(as_text=True)
            assert "子女入学" in page
            with process.test_request_context():
                assert load_calendar().is_working_day(holiday)

        with one.app_context():
            category = db.session.get(Category, world.schooling.id)
            category.name = "义务教育入学"
            calendar_admin.set_day(holiday, False, "调整", None)
            db.session.commit()

        for process in (one, two):
            page = process.test_client().get(f"/disclosure/{ticket.tracking_no}").get_data(as_text=True)
            assert "公共服务 / 义务教育入学" in page and "公共服务 / 子女入学" not in page
            with process.test_request_context():
                assert not load_calendar().is_working_day(holiday)
                assert reference.get().categories[world.schooling.id].name == "义务教育入学"


@pytest.mark.committed
def test_a_change_made_outside_the_orm_shows_once_reference_changed_is_called(app, world):
    from sqlalchemy import update

    with production_like(app, CACHE_TYPE="NullCache") as one, production_like(app, CACHE_TYPE="NullCache") as two:
        with two.test_request_context():
            assert reference.get().units[world.hr.id].name == world.hr.name
        with one.app_context():
            from supervise.models import Unit

            db.session.execute(update(Unit).where(Unit.id == world.hr.id).values(name="区人社局"))
            reference.changed()
            db.session.commit()
        with two.test_request_context():
            assert reference.get().units[world.hr.id].name == "区人社局"
