"""Nothing that identifies an enterprise or a person reaches a public page.

Tickets are filed, handled and published with the enterprise's name, alias, credit code, contact
person, mobile, landline, e-mail and an ID number written into every text a ticket has — the
description, notes, replies, rating comments, the moderated public summary and reply, attachment
names. Then every public page is crawled, without logging in, and searched for each of them.
"""

import html
import re
from collections import deque
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from supervise.domain import workflow
from supervise.domain.redaction import MASK, TERM_MASK
from supervise.extensions import db
from supervise.jobs import alerts as alert_jobs
from supervise.models import AlertEvent, Attachment, OutboxMessage, State
from tests.factories import advance, file_ticket, readable

BASE = datetime(2026, 3, 2, 9)
ALIAS = "恒达精密"
ID_NUMBER = "42060219900101123X"
LANDLINE = "0710-3456789"
TEACHER = "张晓红"  # a person named in a note, masked by a redaction term the supervisor adds
PRIVATE_PREFIXES = ("/auth", "/my", "/unit", "/console", "/admin", "/static", "/language", "/files")


def secrets(world) -> dict[str, str]:
    acme = world.acme
    return {
        "enterprise name": acme.name,
        "alias": ALIAS,
        "credit code": acme.credit_code,
        "contact person": acme.contact_name,
        "contact mobile": acme.contact_mobile,
        "landline": LANDLINE,
        "e-mail": acme.email,
        "ID number": ID_NUMBER,
        "named person": TEACHER,
        "filing user": world.enterprise_user.name,
        "handler": world.handler.name,
        "supervisor": world.supervisor.name,
    }


def leaky(world, what: str) -> str:
    """A text that names everything it should not."""
    acme = world.acme
    return (
        f"{what}：{acme.name}（{ALIAS}）联系人{acme.contact_name}，手机{acme.contact_mobile}，"
        f"座机{LANDLINE}，邮箱{acme.email}，身份证号{ID_NUMBER}，信用代码{acme.credit_code}。"
    )


def perform(ticket, action, actor, **data):
    workflow.perform(ticket, action, actor, at=BASE + timedelta(hours=len(ticket.events)), **data)


def publish(world, ticket):
    perform(
        ticket,
        "publish",
        world.supervisor,
        public_title=f"{world.acme.name}反映职工子女入学难",
        public_summary=leaky(world, "公开摘要"),
    )


@pytest.fixture
def leaky_world(world):
    """Published tickets in several states, each full of identifiers, plus one not published."""
    world.acme.aliases = ALIAS
    tickets = []

    # Closed, result published, with a released attachment named after the company.
    closed = file_ticket(world, title=f"{world.acme.name}职工子女入学难", description=leaky(world, "描述"), at=BASE)
    perform(closed, "add_redaction_term", world.supervisor, term=TEACHER)
    perform(closed, "accept", world.supervisor, note=leaky(world, "受理"))
    perform(closed, "sign", world.handler)
    perform(closed, "note", world.handler, note=leaky(world, f"已联系{TEACHER}老师"), public=True)
    perform(closed, "note", world.handler, note=leaky(world, "内部"), public=False)
    perform(closed, "reply", world.handler, outcome="resolved", text=leaky(world, "答复"))
    perform(closed, "approve_reply", world.supervisor)
    publish(world, closed)
    perform(closed, "rate", world.enterprise_user, rating=5, solved=True, comment=leaky(world, "评价"))
    perform(closed, "publish_result", world.supervisor, public_reply=leaky(world, f"公开结果，{TEACHER}"))
    db.session.add(
        Attachment(
            ticket=closed,
            filename=f"{world.acme.name}{ALIAS}协调纪要.pdf",
            stored_name="x1",
            content_type="application/pdf",
            size=100,
            released=True,
        )
    )
    tickets.append(closed)

    # In progress under a supervision order, an extension granted, material asked and given.
    handling = file_ticket(world, description=leaky(world, "描述"), at=BASE)
    perform(handling, "accept", world.supervisor)
    perform(handling, "sign", world.handler)
    publish(world, handling)
    perform(handling, "issue_order", world.supervisor, level="key", deadline="2026-12-31", note=leaky(world, "督办"))
    perform(handling, "request_material", world.handler, note=leaky(world, "补充材料"))
    perform(handling, "provide_material", world.enterprise_user, note=leaky(world, "已补充"))
    perform(handling, "request_extension", world.handler, new_due="2026-12-30", reason=leaky(world, "延期"))
    perform(handling, "grant_extension", world.supervisor, note=leaky(world, "同意延期"))
    perform(handling, "note", world.handler, note=leaky(world, "进展"), public=True)
    tickets.append(handling)

    # Rated badly and reopened.
    reopened = advance(
        world, file_ticket(world, description=leaky(world, "描述"), at=BASE), State.AWAITING_RATING, at=BASE
    )
    publish(world, reopened)
    perform(reopened, "rate", world.enterprise_user, rating=1, solved=False, comment=leaky(world, "不满意"))
    perform(reopened, "reopen", world.supervisor, note=leaky(world, "重办"))
    tickets.append(reopened)

    # Another category and unit, dispatched only.
    hiring = file_ticket(world, category=world.hiring, description=leaky(world, "招聘"), at=BASE)
    perform(hiring, "accept", world.supervisor, note=leaky(world, "受理"))
    publish(world, hiring)
    tickets.append(hiring)

    # Never published: reachable only through the lookup.
    private = file_ticket(world, description=leaky(world, "未公开"), at=BASE)
    perform(private, "accept", world.supervisor, note=leaky(world, "受理"))
    tickets.append(private)

    db.session.commit()
    return tickets


def links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"#]+)"', page)]


def crawl(client, seeds: list[str]) -> dict[str, str]:
    """Every public GET page reachable from ``seeds``, by URL."""
    pages, queue = {}, deque(seeds)
    while queue:
        url = queue.popleft()
        if url in pages or not url.startswith("/") or url.startswith(PRIVATE_PREFIXES):
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = readable(response)
        if response.mimetype == "text/html":
            queue.extend(links(pages[url]))
    return pages


def assert_clean(pages: dict[str, str], world) -> None:
    for url, page in pages.items():
        text = html.unescape(page)
        for what, secret in secrets(world).items():
            assert secret not in text, f"{what} ({secret}) on {url}"


def test_no_public_page_names_the_enterprise_or_a_person(client, world, leaky_world):
    w = world
    filters = [f"/disclosure?category={c.id}" for c in (w.public_services, w.schooling, w.hiring)]
    filters += [f"/disclosure?unit={u.id}" for u in (w.edu, w.hr)]
    filters += ["/disclosure?state=open", "/disclosure?state=closed", "/disclosure?since=2026-01-01&until=2026-12-31"]
    pages = crawl(client, ["/", "/disclosure", "/rules", "/lookup", *filters])

    published = [t for t in leaky_world if t.published_at]
    for ticket in published:
        assert f"/disclosure/{ticket.tracking_no}" in pages
    for ticket in leaky_world:
        response = client.post("/lookup", data={"tracking_no": ticket.tracking_no, "code": ticket.retrieval_code})
        assert response.status_code == 200
        pages[f"lookup {ticket.tracking_no}"] = response.get_data(as_text=True)
        assert ticket.tracking_no in pages[f"lookup {ticket.tracking_no}"]

    assert_clean(pages, world)


def test_the_identifiers_are_masked_not_merely_absent(client, world, leaky_world):
    closed = leaky_world[0]

    page = client.get(f"/disclosure/{closed.tracking_no}").get_data(as_text=True)

    assert "某制造业企业" in page
    assert MASK in page and TERM_MASK in page
    assert "公开摘要" in page and "公开结果" in page
    assert f"{closed.tracking_no}-Document1.pdf" in page  # a file is shown under a made-up name
    assert "已联系" in page  # the public progress note, masked
    assert "内部" not in page  # the internal note, absent


def test_the_lookup_of_an_unpublished_ticket_shows_masked_progress(client, world, leaky_world):
    private = leaky_world[-1]

    page = client.post("/lookup", data={"tracking_no": private.tracking_no, "code": private.retrieval_code}).get_data(
        as_text=True
    )

    assert "受理" in page and MASK in page
    assert "未公开" not in page  # the description is the enterprise's own text, never shown
    assert_clean({"lookup": page}, world)


def test_no_feed_or_open311_response_names_the_enterprise_or_a_person(client, world, leaky_world):
    urls = [
        "/feeds/problems.atom",
        "/feeds/results.atom",
        f"/feeds/units/{world.edu.id}/problems.atom",
        f"/feeds/categories/{world.schooling.id}/results.atom",
        "/open311/v2/services.json",
        "/open311/v2/services.xml",
    ]
    start, end = "2026-01-01T00:00:00%2B08:00", "2026-03-31T00:00:00%2B08:00"  # %2B: the "+"
    for fmt in ("json", "xml"):
        urls.append(f"/open311/v2/requests.{fmt}?start_date={start}&end_date={end}")
        urls += [f"/open311/v2/requests/{t.tracking_no}.{fmt}" for t in leaky_world]  # published or not
        urls += [f"/open311/v2/tokens/{t.tracking_no}.{fmt}" for t in leaky_world]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = readable(response)
    listing = pages[f"/open311/v2/requests.json?start_date={start}&end_date={end}"]
    assert all(t.tracking_no in listing for t in leaky_world)
    assert_clean(pages, world)


@pytest.fixture
def followers(client, world):
    """Addresses that follow, confirmed through the public pages, the units and categories of the leaky
    tickets before any of them is published."""
    targets = [{"unit": world.edu.id}, {"unit": world.hr.id}, {"category": world.public_services.id}]
    targets.append({"category": world.hiring.id})
    for n, target in enumerate(targets):
        client.post("/alerts/subscribe", query_string=target, data={"email": f"follower{n}@example.com"})
    db.session.commit()
    confirmations = db.session.scalars(
        select(OutboxMessage.body).where(OutboxMessage.dedupe_key.like("alert-confirm:%"))
    )
    for body in confirmations.all():
        assert client.post(re.search(r"/alerts/confirm/[\w-]+", body).group(0)).status_code == 200


def test_no_alert_mail_names_the_enterprise_or_a_person(client, world, followers, leaky_world):
    for ident in db.session.scalars(select(AlertEvent.id)).all():
        alert_jobs.fan_out(ident)
    alerts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("alert:%"))).all()

    assert len({a.address for a in alerts}) == 4  # every follower heard of something
    texts = {a.dedupe_key: f"{a.subject}\n{a.body}" for a in alerts}
    assert any(MASK in text for text in texts.values())  # the masked public texts are there
    assert_clean(texts, world)
