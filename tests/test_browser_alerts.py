"""In Chromium, CSRF on, in Chinese, mail through a real local SMTP server (aiosmtpd): two anonymous
visitors follow a published ticket (on its public page, at 1366×900) and a unit (on the public list
filtered by it, at 390×844) from the visible follow card, confirm from the link in the confirmation
mail, get an alert mail when the ticket's handling moves on (with its one-click unsubscribe link and
List-Unsubscribe / List-Unsubscribe-Post headers), and stop them — one through the page the link
opens, the other by the mail client's one-click POST; no mail after that.

The mail goes out as the app sends it: the alerts job fans the event out to the outbox, the delivery
job hands each message to the SMTP server the app is configured with. Pages photographed at both
widths under test-artifacts/screenshots/alerts-*.png."""

import re
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from supervise.domain import workflow
from supervise.domain.measures import cells
from supervise.extensions import db
from supervise.jobs import alerts as alert_jobs
from supervise.jobs import delivery
from supervise.models import AlertEvent, AlertSubscription, OutboxMessage, State
from tests.browser_support import SCREENSHOTS, Session
from tests.factories import SmtpInbox, advance, file_ticket, publish

pytestmark = [pytest.mark.browser, pytest.mark.committed]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
READER = "zhang.wei@example.com"  # follows the ticket, on a desktop
NEIGHBOUR = "li.na@example.com"  # follows the unit, on a phone


def run_jobs() -> None:
    """What the workers do after the commits: fan out the alerted events, then deliver the e-mail."""
    db.session.expire_all()
    for ident in db.session.scalars(select(AlertEvent.id).where(AlertEvent.done_at.is_(None))).all():
        alert_jobs.fan_out(ident)
    pending = select(OutboxMessage.id).where(OutboxMessage.channel == "email", OutboxMessage.status == "pending")
    for ident in db.session.scalars(pending).all():
        delivery.deliver(ident)
    db.session.commit()


def mails_to(inbox: SmtpInbox, address: str) -> list:
    return [m for m in inbox.messages() if m["To"] == address]


def link_in(mail, path: str) -> str:
    """The path of the first ``path`` link in the mail's text (the mail's host is PUBLIC_BASE_URL)."""
    found = re.search(rf"https?://[^/\s]+({path}/[\w-]+)", mail.get_content())
    assert found, mail.get_content()
    return found.group(1)


def assert_chinese(page) -> None:
    """No English left on the page's main part (feed format names and addresses apart)."""
    text = re.sub(r"Atom|[\w.]+@[\w.]+", "", page.locator("#main").inner_text())
    assert not re.search(r"[A-Za-z]{2,}", text), f"English on {page.url}: {text}"


def shoot(session: Session, name: str) -> None:
    """Full-page PNGs of the page as it stands, at 1366 and 390 px, without reloading it (the page may be
    the answer to a POST); no page wider than its window. The viewport goes back to what it was."""
    page = session.page
    assert_chinese(page)
    before = page.viewport_size
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"alerts-{name}-{size['width']}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} is {overflow}px wider than {size['width']}px"
    page.set_viewport_size(before)


def visitor(browser, base_url: str, label: str, viewport: dict) -> Session:
    """An anonymous visitor, in their own browser, reading the site in Chinese."""
    session = Session(browser, base_url, label)
    session.page.set_viewport_size(viewport)
    session.page.goto("/language/zh_CN?next=/")
    assert session.page.locator("html").get_attribute("lang") == "zh-CN"
    return session


def subscribe(session: Session, follow_card, link_text: str, address: str, shot: str) -> None:
    """From the follow card: the link for one target, the form, the address, the answer."""
    from playwright.sync_api import expect

    page = session.page
    expect(follow_card).to_be_visible()
    with page.expect_navigation():
        follow_card.get_by_role("link", name=link_text).click()
    assert "/alerts/subscribe?" in page.url
    shoot(session, f"{shot}-form")
    page.fill("#main input[name=email]", address)
    session.submit("#main form")
    expect(page.locator("#main .alert.success")).to_contain_text("确认")
    shoot(session, f"{shot}-sent")


def confirm(session: Session, inbox: SmtpInbox, address: str, shot: str) -> None:
    """The confirmation mail arrives; its link opens a page whose button confirms."""
    from playwright.sync_api import expect

    run_jobs()
    (confirmation,) = mails_to(inbox, address)
    assert "List-Unsubscribe" not in confirmation  # nothing to unsubscribe from yet
    assert "确认" in confirmation["Subject"]  # in the language the visitor subscribed in
    keep(confirmation, f"{shot}-confirmation")
    page = session.page
    page.goto(link_in(confirmation, "/alerts/confirm"))
    expect(page.get_by_role("button", name="确认订阅")).to_be_visible()
    shoot(session, f"{shot}-confirm")
    session.submit("#main form")
    expect(page.locator("#main .alert.success")).to_contain_text("已确认")
    shoot(session, f"{shot}-confirmed")


def followers_mail(inbox: SmtpInbox) -> list:
    """What reached the two followers (the staff and the filer get their own messages meanwhile)."""
    return [m for m in inbox.messages() if m["To"] in (READER, NEIGHBOUR)]


def keep(mail, name: str) -> None:
    """The mail as received, beside the screenshots, to be read like them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"alerts-{name}.eml").write_bytes(mail.as_bytes())


def wait_for_mail(inbox: SmtpInbox, count: int) -> None:
    """The SMTP server's thread stores what it accepted a moment after the delivery returns."""
    deadline = time.monotonic() + 5
    while len(followers_mail(inbox)) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def confirmed_count() -> int:
    db.session.expire_all()
    where = AlertSubscription.confirmed_at.is_not(None)
    return db.session.scalar(select(func.count()).select_from(AlertSubscription).where(where))


def test_a_visitor_follows_confirms_gets_an_alert_and_unsubscribes_in_one_click(world, browser, base_url, inbox):
    from playwright.sync_api import expect

    ticket = publish(world, advance(world, file_ticket(world), State.IN_PROGRESS))
    db.session.commit()
    cells.refresh_dirty()  # the public list's filters offer the units of the kept measures
    db.session.commit()
    tracking_no, unit_id, category_id, ticket_id = ticket.tracking_no, world.edu.id, world.schooling.id, ticket.id
    sessions: list[Session] = []
    try:
        # On the ticket's public page, at 1366 px: the follow card, the ticket's alerts.
        reader = visitor(browser, base_url, "reader", DESKTOP)
        sessions.append(reader)
        reader.page.goto(f"/disclosure/{tracking_no}")
        card = reader.page.locator("#main .follow")
        expect(card.locator("h3")).to_have_text(["本问题", "本单位", "本类别"])
        expect(card.locator(".follow-name")).to_have_text([tracking_no, "区教育局", "公共服务 / 子女入学"])
        shoot(reader, "ticket")
        subscribe(reader, reader.page.locator("#main .follow"), "订阅此问题的邮件提醒", READER, "ticket")

        # On the public list filtered by the unit, on a phone: the unit's alerts.
        neighbour = visitor(browser, base_url, "neighbour", PHONE)
        sessions.append(neighbour)
        neighbour.page.goto(f"/disclosure?unit={unit_id}")
        shoot(neighbour, "list")
        subscribe(neighbour, neighbour.page.locator("#main .follow"), "订阅此单位的邮件提醒", NEIGHBOUR, "unit")

        # The list by category, and the whole list (feeds only: alerts follow a unit or a category).
        neighbour.page.goto(f"/disclosure?category={category_id}")
        expect(neighbour.page.locator("#main .follow h3")).to_have_text(["本类别"])
        expect(neighbour.page.locator("#main .follow .follow-name")).to_have_text(["子女入学"])
        shoot(neighbour, "list-category")
        neighbour.page.goto("/disclosure")
        expect(neighbour.page.locator("#main .follow h3")).to_have_text(["全部公开问题"])
        shoot(neighbour, "list-all")

        assert confirmed_count() == 0  # nothing before the address is confirmed
        confirm(reader, inbox, READER, "ticket")
        confirm(neighbour, inbox, NEIGHBOUR, "unit")
        assert confirmed_count() == 2

        # The handling moves on in public: each follower gets one alert, with its way out.
        db.session.expire_all()
        workflow.perform(db.session.get(type(ticket), ticket_id), "note", world.handler, note="已协调学位", public=True)
        db.session.commit()
        run_jobs()
        wait_for_mail(inbox, 4)
        links = {}
        for address in (READER, NEIGHBOUR):
            (alert,) = mails_to(inbox, address)[1:]
            assert tracking_no in alert["Subject"]
            assert "已协调学位" in alert.get_content() and "退订" in alert.get_content()
            keep(alert, f"alert-{address.split('@')[0]}")
            links[address] = link_in(alert, "/alerts/unsubscribe")
            (header,) = re.findall(r"<([^>]+)>", alert["List-Unsubscribe"])
            assert urlsplit(header).path == links[address]
            assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        # The reader opens the link: a page that asks first, then stops the alerts.
        page = reader.page
        page.goto(links[READER])
        expect(page.get_by_role("button", name="退订提醒")).to_be_visible()
        assert confirmed_count() == 2  # opening the link alone stops nothing
        shoot(reader, "unsubscribe")
        reader.submit("#main form")
        expect(page.locator("#main .alert.success")).to_contain_text("已退订")
        shoot(reader, "unsubscribed")

        # The neighbour's mail client unsubscribes with one click: a POST without a CSRF token.
        response = neighbour.context.request.post(
            f"{base_url}{links[NEIGHBOUR]}", form={"List-Unsubscribe": "One-Click"}
        )
        assert response.status == 200
        assert confirmed_count() == 0

        # The link, used once, now says so; the next public step reaches nobody.
        page.goto(links[READER])
        expect(page.locator("#main .alert.info")).to_be_visible()
        shoot(reader, "gone")
        db.session.expire_all()
        workflow.perform(db.session.get(type(ticket), ticket_id), "note", world.handler, note="学位已落实", public=True)
        db.session.commit()
        run_jobs()
        time.sleep(0.3)
        assert len(followers_mail(inbox)) == 4  # two confirmations, two alerts: nothing after unsubscribing

        errors = [e for s in sessions for e in s.errors]
        assert not errors, errors
    finally:
        for s in sessions:
            s.close()
