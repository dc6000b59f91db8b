"""The public side (晒问题、晒结果): home, the published list and its filters, a published ticket,
the progress lookup and the rules — all without logging in."""

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from supervise.domain import deadlines, workflow
from supervise.domain.measures import cells
from supervise.extensions import db
from supervise.models import Attachment, State
from tests.factories import advance, file_ticket, publish

BASE = datetime(2026, 3, 2, 9)  # a Monday


def listed(response) -> list[str]:
    """Tracking numbers linked from a page, in page order."""
    return re.findall(r'href="/disclosure/(\d+)"', response.get_data(as_text=True))


def next_link(response) -> str | None:
    found = re.search(r'href="([^"]+)" rel="next"', response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def published_ticket(world, category=None, to=State.DISPATCHED, at=BASE, **fields):
    ticket = advance(world, file_ticket(world, category=category, at=at, **fields), to, at=at)
    return publish(world, ticket, at=at)


# ---------------------------------------------------------------- home


def test_the_home_page_offers_the_entry_points_and_the_latest_published_problems(client, world):
    tickets = [published_ticket(world, at=BASE + timedelta(hours=i)) for i in range(8)]
    advance(world, file_ticket(world), State.CLOSED)  # closed, not published
    db.session.commit()
    cells.refresh_dirty()  # the minute job: the headline numbers come from the kept measures

    response = client.get("/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for target in ("/my/new", "/lookup", "/disclosure", "/rules"):
        assert f'href="{target}"' in page
    assert listed(response) == [t.tracking_no for t in reversed(tickets)][:6]
    numbers = re.findall(r'<span class="num">(\d+)</span><span class="label">([^<]+)</span>', page)
    assert dict((label, int(n)) for n, label in numbers) == {
        "Complaints received": 9,
        "Complaints closed": 1,
        "Problems published": 8,
    }


def test_the_home_page_works_on_an_empty_platform(client, world):
    response = client.get("/")
    assert response.status_code == 200
    assert "No problem has been published yet." in response.get_data(as_text=True)


# ---------------------------------------------------------------- the published list


def test_only_published_tickets_are_listed(client, world):
    shown = published_ticket(world)
    advance(world, file_ticket(world), State.IN_PROGRESS)
    withdrawn = published_ticket(world)
    workflow.perform(withdrawn, "unpublish", world.supervisor, note="企业要求撤回")
    db.session.commit()

    assert listed(client.get("/disclosure")) == [shown.tracking_no]


def test_a_row_shows_title_category_unit_state_date_and_rating(client, world):
    ticket = published_ticket(world, to=State.CLOSED)
    db.session.commit()

    page = client.get("/disclosure").get_data(as_text=True)

    for text in ("职工子女入学难", "公共服务 / 子女入学", "区教育局", "Closed", "2026-03-02", "Very satisfied"):
        assert text in page
    assert ticket.tracking_no in page


def test_an_overdue_ticket_is_marked_overdue_in_the_list(client, world):
    published_ticket(world, at=datetime(2020, 1, 6, 9))  # dispatched long ago and never replied
    db.session.commit()
    assert "Seriously overdue" in client.get("/disclosure").get_data(as_text=True)  # red: 严重超期


def test_the_list_filters_by_category(client, world, approvals):
    schooling = published_ticket(world, world.schooling)
    published_ticket(world, world.hiring)
    db.session.commit()

    assert listed(client.get(f"/disclosure?category={world.schooling.id}")) == [schooling.tracking_no]


def test_filtering_by_a_top_level_area_lists_all_its_categories(client, world, approvals):
    area, projects = approvals
    schooling = published_ticket(world, world.schooling, at=BASE)
    hiring = published_ticket(world, world.hiring, at=BASE + timedelta(hours=1))
    published_ticket(world, projects, at=BASE + timedelta(hours=2))
    db.session.commit()

    response = client.get(f"/disclosure?category={world.public_services.id}")

    assert listed(response) == [hiring.tracking_no, schooling.tracking_no]
    page = response.get_data(as_text=True)
    assert '<optgroup label="公共服务">' in page and '<optgroup label="行政审批">' in page
    assert f'<option selected value="{world.public_services.id}">' in page


def test_the_list_filters_by_lead_unit(client, world, approvals):
    published_ticket(world, world.schooling)
    hiring = published_ticket(world, world.hiring)
    db.session.commit()
    cells.refresh_dirty()  # the unit choices come from the kept measures

    response = client.get(f"/disclosure?unit={world.hr.id}")

    assert listed(response) == [hiring.tracking_no]
    page = response.get_data(as_text=True)
    assert "区人力资源和社会保障局" in page and "区教育局" in page  # both lead a published ticket
    assert "东津街道办事处" not in re.search(r'<select[^>]*name="unit".*?</select>', page, re.S).group(0)


def test_the_list_filters_by_open_or_closed(client, world):
    open_ = published_ticket(world, to=State.IN_PROGRESS, at=BASE)
    closed = published_ticket(world, to=State.CLOSED, at=BASE + timedelta(hours=1))
    db.session.commit()

    assert listed(client.get("/disclosure?state=open")) == [open_.tracking_no]
    assert listed(client.get("/disclosure?state=closed")) == [closed.tracking_no]
    assert listed(client.get("/disclosure?state=")) == [closed.tracking_no, open_.tracking_no]


def test_the_list_filters_by_publication_period(client, world):
    march = published_ticket(world, at=datetime(2026, 3, 10, 9))
    april = published_ticket(world, at=datetime(2026, 4, 10, 9))
    may = published_ticket(world, at=datetime(2026, 5, 10, 9))
    db.session.commit()

    assert listed(client.get("/disclosure?since=2026-04-01")) == [may.tracking_no, april.tracking_no]
    assert listed(client.get("/disclosure?until=2026-04-10")) == [april.tracking_no, march.tracking_no]
    assert listed(client.get("/disclosure?since=2026-04-01&until=2026-04-30")) == [april.tracking_no]


@pytest.mark.parametrize(
    "query",
    [
        "category=abc",
        "category=999999",
        "unit=x1",
        "unit=999999",
        "state=nonsense",
        "since=2026-13-45",
        "until=yesterday",
        "since=2026-02-30&until=",
        "after=garbage",
        "after=20260101000000-x",
        "category=&unit=&state=&since=&until=",
    ],
)
def test_invalid_filter_values_are_ignored(client, world, query):
    ticket = published_ticket(world)
    db.session.commit()

    response = client.get(f"/disclosure?{query}")

    assert response.status_code == 200
    assert listed(response) == [ticket.tracking_no]


def test_keyset_pages_list_every_published_ticket_exactly_once(client, world):
    # Three tickets per minute: pages must split correctly inside equal publication times.
    tickets = [published_ticket(world, at=BASE + timedelta(minutes=i // 3)) for i in range(45)]
    advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()

    seen, url, pages = [], "/disclosure", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += listed(response)
        url, pages = next_link(response), pages + 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 45
    assert set(seen) == {t.tracking_no for t in tickets}


def test_the_next_page_link_keeps_the_filters(client, world):
    for i in range(22):
        published_ticket(world, world.hiring, at=BASE + timedelta(hours=i))
    for i in range(3):
        published_ticket(world, world.schooling, at=BASE + timedelta(hours=i))
    db.session.commit()

    first = client.get(f"/disclosure?category={world.hiring.id}&state=open&since=2026-03-01&until=nonsense")
    url = next_link(first)

    assert f"category={world.hiring.id}" in url and "state=open" in url and "since=2026-03-01" in url
    assert "until" not in url
    second = client.get(url)
    assert len(listed(first)) == 20 and len(listed(second)) == 2
    assert not set(listed(first)) & set(listed(second))
    assert next_link(second) is None


def test_the_list_runs_the_same_queries_however_many_rows_it_shows(client, world):
    def queries_for_list() -> int:
        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/disclosure").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for i in range(2):
        published_ticket(world, to=State.CLOSED, at=BASE + timedelta(hours=i))
    db.session.commit()
    few = queries_for_list()
    for i in range(18):
        published_ticket(world, world.hiring, at=BASE + timedelta(days=1, hours=i))
    db.session.commit()

    assert queries_for_list() == few


# ---------------------------------------------------------------- one published ticket


def test_an_unpublished_ticket_has_no_public_page(client, world):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()

    assert client.get(f"/disclosure/{ticket.tracking_no}").status_code == 404
    assert client.get("/disclosure/99999999999").status_code == 404


def test_a_withdrawn_ticket_has_no_public_page(client, world):
    ticket = published_ticket(world)
    workflow.perform(ticket, "unpublish", world.supervisor, note="企业要求撤回")
    db.session.commit()

    assert client.get(f"/disclosure/{ticket.tracking_no}").status_code == 404


def test_a_published_ticket_page_shows_the_public_facts(client, world):
    ticket = published_ticket(world, to=State.CLOSED)
    db.session.commit()

    page = client.get(f"/disclosure/{ticket.tracking_no}").get_data(as_text=True)

    for text in (
        ticket.tracking_no,
        "职工子女入学难",
        "某企业反映职工子女入学没有学位。",
        "某制造业企业",
        "公共服务 / 子女入学",
        "东津街道",
        "区教育局",
        "东津街道办事处",
        "Closed",
        "On time",
        "已协调解决。",
        "Very satisfied",
        "Solved",
        "Problem published",
        "Result published",
    ):
        assert text in page, text


def test_the_result_is_shown_only_once_published(client, world):
    ticket = published_ticket(world, to=State.IN_PROGRESS)
    workflow.perform(ticket, "reply", world.handler, outcome="resolved", text="学位已安排在实验小学。")
    workflow.perform(ticket, "approve_reply", world.supervisor)
    workflow.perform(ticket, "rate", world.enterprise_user, rating=4, solved=True, comment="感谢教育局")
    db.session.commit()
    url = f"/disclosure/{ticket.tracking_no}"

    page = client.get(url).get_data(as_text=True)
    assert "The result is published once the complaint is closed." in page
    # The unit's raw reply and the enterprise's comment are not moderated texts.
    assert "学位已安排在实验小学。" not in page and "感谢教育局" not in page
    assert "Satisfied" in page

    workflow.perform(ticket, "publish_result", world.supervisor, public_reply="已为职工子女安排学位。")
    db.session.commit()
    assert "已为职工子女安排学位。" in client.get(url).get_data(as_text=True)


def test_only_public_events_reach_the_public_page(client, world):
    ticket = published_ticket(world, to=State.IN_PROGRESS)
    workflow.perform(ticket, "note", world.handler, note="已与学校沟通，正在协调学位", public=True)
    workflow.perform(ticket, "note", world.handler, note="内部：校长不太配合", public=False)
    db.session.commit()

    page = client.get(f"/disclosure/{ticket.tracking_no}").get_data(as_text=True)

    assert "已与学校沟通，正在协调学位" in page
    assert "校长不太配合" not in page
    assert "陈承办" not in page  # no actors on public pages


def test_released_attachments_are_listed_and_others_are_not(client, world):
    ticket = published_ticket(world)
    shown = Attachment(
        ticket=ticket,
        filename="协调会纪要.pdf",
        stored_name="a1",
        content_type="application/pdf",
        size=10,
        released=True,
    )
    hidden = Attachment(ticket=ticket, filename="户口本.jpg", stored_name="a2", content_type="image/jpeg", size=10)
    db.session.add_all([shown, hidden])
    db.session.commit()

    page = client.get(f"/disclosure/{ticket.tracking_no}").get_data(as_text=True)

    # under a made-up name: a file's own name may carry the company's, in a form no redaction term knows
    assert f'href="/files/{shown.id}"' in page and f"{ticket.tracking_no}-Document1.pdf" in page
    assert "协调会纪要" not in page
    assert f"/files/{hidden.id}" not in page and "户口本.jpg" not in page


# ---------------------------------------------------------------- progress lookup


def test_the_lookup_with_the_right_pair_shows_the_progress(client, world):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    workflow.perform(ticket, "request_material", world.handler, note="请补充孩子的户籍证明")
    workflow.perform(ticket, "note", world.handler, note="内部：学位紧张", public=False)
    db.session.commit()

    response = client.post("/lookup", data={"tracking_no": ticket.tracking_no, "code": ticket.retrieval_code.lower()})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        ticket.tracking_no,
        "Awaiting material",
        "公共服务 / 子女入学",
        "区教育局",
        f"{ticket.handle_due:%Y-%m-%d}",
        "Submitted",
        "Accepted",
        "Signed for",
        "Material requested",
        "请补充孩子的户籍证明",
    ):
        assert text in page, text
    assert "学位紧张" not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_lookup_does_not_show_the_enterprise_or_its_contact(client, world):
    ticket = advance(
        world,
        file_ticket(world, description="襄阳市恒达精密制造有限公司王建国反映，电话13912345678"),
        State.IN_PROGRESS,
    )
    workflow.perform(
        ticket, "request_material", world.handler, note="请襄阳市恒达精密制造有限公司王建国（13912345678）补充材料"
    )
    db.session.commit()

    page = client.post("/lookup", data={"tracking_no": ticket.tracking_no, "code": ticket.retrieval_code}).get_data(
        as_text=True
    )

    assert "Material requested" in page
    for secret in (world.acme.name, world.acme.credit_code, "王建国", "13912345678", "wang@corp.example"):
        assert secret not in page


@pytest.mark.parametrize("wrong", ["tracking", "code", "both"])
def test_a_wrong_pair_gets_one_generic_message(client, world, wrong):
    ticket = file_ticket(world)
    other = file_ticket(world)
    db.session.commit()
    data = {"tracking_no": ticket.tracking_no, "code": ticket.retrieval_code}
    if wrong in ("tracking", "both"):
        data["tracking_no"] = "99999999999"
    if wrong in ("code", "both"):
        data["code"] = other.retrieval_code if other.retrieval_code != ticket.retrieval_code else "222222"

    response = client.post("/lookup", data=data)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No complaint matches this tracking number and code." in page
    assert 'id="progress-title"' not in page
    assert 'name="tracking_no"' in page


def test_the_lookup_form_needs_both_fields(client, world):
    response = client.post("/lookup", data={"tracking_no": "", "code": ""})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)


def test_the_lookup_is_protected_against_cross_site_posts(app, client, world):
    ticket = file_ticket(world)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/lookup", data={"tracking_no": ticket.tracking_no, "code": ticket.retrieval_code})
        assert response.status_code == 400
        form = client.get("/lookup").get_data(as_text=True)
        assert 'name="csrf_token"' in form
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# ---------------------------------------------------------------- rules


def test_the_rules_list_the_decline_reasons_and_time_limits(client, world):
    page = html.unescape(client.get("/rules").get_data(as_text=True))

    for reason in workflow.DECLINE_REASONS.values():
        assert str(reason) in page
    for text in (
        "2 working days",
        "1 working day",
        "5 working days",
        "15 working days",
        "30 working days",
        "7 calendar days",
        "Due soon",
        "Overdue",
        "Seriously overdue",
        "Never published",
    ):
        assert text in page, text


def test_the_rules_read_the_time_limits_from_the_deadlines_module(client, world, monkeypatch):
    monkeypatch.setattr(deadlines, "ACCEPT_DAYS", 4)
    monkeypatch.setattr(deadlines, "HANDLE_DAYS", {"simple": 6, "standard": 16, "complex": 31})

    page = client.get("/rules").get_data(as_text=True)

    for text in ("4 working days", "6 working days", "16 working days", "31 working days"):
        assert text in page
