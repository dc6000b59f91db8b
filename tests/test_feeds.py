"""Atom feeds (RFC 4287) of newly published problems and results: overall, per lead unit, per
category; only public, masked texts."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from flask import current_app

from supervise.domain import workflow
from supervise.extensions import db
from supervise.models import State, Ticket
from tests.factories import advance, file_ticket

BASE = datetime(2026, 3, 2, 9)  # a Monday
NS = {"a": "http://www.w3.org/2005/Atom"}
A = "{http://www.w3.org/2005/Atom}"


def site(path: str) -> str:
    """A link on the configured public site (feeds never take the request's Host)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def published(
    world,
    category=None,
    to=State.DISPATCHED,
    at=BASE,
    title="职工子女入学难",
    summary="某企业反映职工子女入学没有学位。",
    reply=None,
    result_at=None,
) -> Ticket:
    ticket = advance(world, file_ticket(world, category=category, at=at), to, at=at)
    workflow.perform(ticket, "publish", world.supervisor, at=at, public_title=title, public_summary=summary)
    if reply:
        workflow.perform(ticket, "publish_result", world.supervisor, at=result_at or at, public_reply=reply)
    db.session.flush()
    return ticket


def feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{A}feed"
    return root


def entries(root: ET.Element) -> list[str]:
    """The tracking numbers of the entries, in feed order."""
    return [
        e.find("a:link[@rel='alternate']", NS).get("href").split("/disclosure/")[1].split("#")[0]
        for e in root.findall("a:entry", NS)
    ]


# ---------------------------------------------------------------- the overall feeds


def test_the_problems_feed_lists_published_problems_newest_first(client, world):
    first = published(world, at=BASE)
    second = published(
        world, at=BASE + timedelta(hours=2), title="施工许可办理时间长", summary="某企业反映施工许可审批环节多。"
    )
    advance(world, file_ticket(world), State.IN_PROGRESS)  # not published
    db.session.commit()

    root = feed(client, "/feeds/problems.atom")

    assert entries(root) == [second.tracking_no, first.tracking_no]
    assert root.findtext("a:id", namespaces=NS) == site("/feeds/problems.atom")
    assert root.find("a:link[@rel='self']", NS).get("href") == site("/feeds/problems.atom")
    assert root.find("a:link[@rel='alternate']", NS).get("href") == site("/disclosure")
    assert root.findtext("a:title", namespaces=NS) == "Published problems"
    assert root.findtext("a:updated", namespaces=NS) == "2026-03-02T11:00:00+08:00"
    assert root.findtext("a:author/a:name", namespaces=NS)
    entry = root.find("a:entry", NS)
    assert entry.findtext("a:id", namespaces=NS) == site(f"/disclosure/{second.tracking_no}")
    assert entry.find("a:link", NS).get("href") == site(f"/disclosure/{second.tracking_no}")
    assert entry.findtext("a:title", namespaces=NS) == "施工许可办理时间长"
    assert entry.findtext("a:summary", namespaces=NS) == "某企业反映施工许可审批环节多。"
    assert entry.findtext("a:updated", namespaces=NS) == "2026-03-02T11:00:00+08:00"
    assert "公共服务 / 子女入学" in [c.get("term") for c in entry.findall("a:category", NS)]


def test_the_results_feed_lists_published_results_by_the_time_of_the_result(client, world):
    early = published(world, to=State.CLOSED, at=BASE, reply="已协调学位。", result_at=BASE + timedelta(days=5))
    late = published(
        world, to=State.CLOSED, at=BASE + timedelta(days=1), reply="已安排入学。", result_at=BASE + timedelta(days=2)
    )
    published(world, to=State.IN_PROGRESS, at=BASE + timedelta(days=3))  # problem published, no result
    db.session.commit()

    root = feed(client, "/feeds/results.atom")

    assert entries(root) == [early.tracking_no, late.tracking_no]
    entry = root.find("a:entry", NS)
    assert entry.findtext("a:summary", namespaces=NS) == "已协调学位。"
    assert entry.findtext("a:updated", namespaces=NS) == "2026-03-07T09:00:00+08:00"
    assert entry.findtext("a:id", namespaces=NS) == site(f"/disclosure/{early.tracking_no}#result-title")
    assert root.findtext("a:title", namespaces=NS) == "Published results"
    assert root.findtext("a:updated", namespaces=NS) == "2026-03-07T09:00:00+08:00"


def test_a_feed_holds_the_latest_fifty_entries(client, world):
    tickets = [published(world, at=BASE + timedelta(minutes=i)) for i in range(52)]
    db.session.commit()

    assert entries(feed(client, "/feeds/problems.atom")) == [t.tracking_no for t in reversed(tickets)][:50]


def test_a_withdrawn_ticket_leaves_the_feeds(client, world):
    ticket = published(world, to=State.CLOSED, reply="已协调学位。")
    db.session.commit()
    assert entries(feed(client, "/feeds/results.atom")) == [ticket.tracking_no]

    workflow.perform(ticket, "unpublish", world.supervisor, note="企业要求撤回")
    db.session.commit()

    assert entries(feed(client, "/feeds/problems.atom")) == []
    assert entries(feed(client, "/feeds/results.atom")) == []


def test_an_empty_feed_is_still_a_valid_feed(client, world):
    root = feed(client, "/feeds/results.atom")

    assert root.findall("a:entry", NS) == []
    assert root.findtext("a:updated", namespaces=NS).endswith("+08:00")


def test_the_disclosure_list_advertises_the_feeds(client, world):
    page = client.get("/disclosure").get_data(as_text=True)

    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/feeds/problems.atom"' in page and 'href="/feeds/results.atom"' in page


# ---------------------------------------------------------------- per unit and per category


def test_a_unit_feed_lists_only_the_tickets_the_unit_leads(client, world):
    school = published(world, world.schooling, at=BASE)  # led by 教育局
    hiring = published(world, world.hiring, at=BASE + timedelta(hours=1))  # led by 人社局
    db.session.commit()

    edu = feed(client, f"/feeds/units/{world.edu.id}/problems.atom")
    hr = feed(client, f"/feeds/units/{world.hr.id}/problems.atom")

    assert entries(edu) == [school.tracking_no]
    assert entries(hr) == [hiring.tracking_no]
    assert edu.findtext("a:title", namespaces=NS) == "Published problems: 区教育局"
    assert edu.find("a:link[@rel='self']", NS).get("href") == site(f"/feeds/units/{world.edu.id}/problems.atom")
    assert edu.find("a:link[@rel='alternate']", NS).get("href") == site(f"/disclosure?unit={world.edu.id}")
    assert entries(feed(client, f"/feeds/units/{world.street.id}/problems.atom")) == []


def test_a_unit_results_feed_lists_only_its_results(client, world):
    school = published(world, world.schooling, to=State.CLOSED, reply="已协调学位。")
    published(world, world.hiring)
    db.session.commit()

    assert entries(feed(client, f"/feeds/units/{world.edu.id}/results.atom")) == [school.tracking_no]
    assert entries(feed(client, f"/feeds/units/{world.hr.id}/results.atom")) == []


def test_a_category_feed_lists_its_tickets_and_an_area_feed_those_of_all_its_categories(client, world, approvals):
    area, projects = approvals
    school = published(world, world.schooling, at=BASE)
    hiring = published(world, world.hiring, at=BASE + timedelta(hours=1))
    project = published(world, projects, at=BASE + timedelta(hours=2))
    db.session.commit()

    assert entries(feed(client, f"/feeds/categories/{world.hiring.id}/problems.atom")) == [hiring.tracking_no]
    assert entries(feed(client, f"/feeds/categories/{world.public_services.id}/problems.atom")) == [
        hiring.tracking_no,
        school.tracking_no,
    ]
    root = feed(client, f"/feeds/categories/{area.id}/problems.atom")
    assert entries(root) == [project.tracking_no]
    assert root.findtext("a:title", namespaces=NS) == "Published problems: 行政审批"
    assert entries(feed(client, f"/feeds/categories/{world.schooling.id}/results.atom")) == []


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/units/999999/problems.atom",
        "/feeds/units/999999/results.atom",
        "/feeds/categories/999999/problems.atom",
        "/feeds/categories/999999/results.atom",
        "/feeds/units/abc/problems.atom",
        "/feeds/other.atom",
        "/feeds/problems.rss",
    ],
)
def test_an_unknown_unit_category_or_feed_is_not_found(client, world, url):
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- nothing identifying


def test_no_feed_shows_the_enterprise_its_credit_code_or_a_phone_number(client, world):
    name, code = world.acme.name, world.acme.credit_code
    published(
        world,
        world.schooling,
        to=State.CLOSED,
        at=BASE,
        title=f"{name}职工子女入学难",
        summary=f"{name}（{code}，联系人王建国，电话13912345678）反映职工子女入学难。",
        reply=f"已联系{name}王建国（139-1234-5678），协调学位。",
    )
    db.session.commit()

    urls = [
        "/feeds/problems.atom",
        "/feeds/results.atom",
        f"/feeds/units/{world.edu.id}/problems.atom",
        f"/feeds/units/{world.edu.id}/results.atom",
        f"/feeds/categories/{world.schooling.id}/problems.atom",
        f"/feeds/categories/{world.public_services.id}/results.atom",
    ]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert "<entry>" in body, url
        for secret in (name, "恒达精密", code, "13912345678", "139-1234-5678", "王建国", "wang@corp.example"):
            assert secret not in body, (url, secret)
        assert "某某" in body


def test_control_characters_in_a_public_text_do_not_break_the_feed(client, world):
    published(world, title="入学\x0b难", summary="某企业\x08反映\x1f入学难。")
    db.session.commit()

    entry = feed(client, "/feeds/problems.atom").find("a:entry", NS)

    assert entry.findtext("a:title", namespaces=NS) == "入学难"
    assert entry.findtext("a:summary", namespaces=NS) == "某企业反映入学难。"
