"""End to end in a real headless Chromium against a live server, CSRF on: an enterprise files a complaint,
the supervisor accepts it, the unit signs and replies, the supervisor approves the reply, the enterprise
rates it, the supervisor publishes the problem and the result, and a visitor finds it on the public pages,
anonymised. Along the way the main pages are photographed in Chinese at phone and desktop width
(test-artifacts/screenshots/).
"""

import re

import pytest
from sqlalchemy import func, select

from supervise.extensions import db
from supervise.models import Outcome, Rating, State, Ticket
from tests.browser_support import Session
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.committed]  # the live server reads from its threads

TITLE = "职工子女秋季入学没有学位"
DESCRIPTION_MOBILE = "13712345678"
REPLY = "已协调东津小学为两名职工子女安排学位，孩子已于九月入学。"


@pytest.fixture
def people(browser, base_url):
    """``people(label)`` opens a new browser context; all are closed after the test."""
    opened: list[Session] = []

    def open_session(label: str) -> Session:
        session = Session(browser, base_url, label)
        opened.append(session)
        return session

    yield open_session
    errors = [e for s in opened for e in s.errors]
    for session in opened:
        session.close()
    assert not errors, f"JavaScript errors: {errors}"


def _expect():
    from playwright.sync_api import expect

    return expect


def ticket_count() -> int:
    count = db.session.scalar(select(func.count(Ticket.id)))
    db.session.rollback()  # hold no transaction while the server writes
    return count


def fill_complaint(page, title: str, description: str) -> None:
    page.select_option("select[name=category_id]", label="子女入学")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", description)


def test_a_complaint_goes_from_filing_to_the_public_pages_in_a_real_browser(world, people):
    expect = _expect()
    enterprise_name = world.acme.name
    contact_name, contact_mobile = world.acme.contact_name, world.acme.contact_mobile
    edu_id, schooling_id = world.edu.id, world.schooling.id
    users = {role: getattr(world, role).username for role in ("enterprise_user", "supervisor", "handler", "admin")}
    db.session.rollback()

    visitor = people("visitor")
    visitor.screenshot("/auth/login", "login")

    # The enterprise files a complaint; the description names the company and a mobile number.
    company = people("enterprise")
    company.log_in(users["enterprise_user"], PASSWORD)
    company.screenshot("/my/new", "my-new")
    page = company.page
    page.goto("/my/new")
    questions = page.locator(f"#intake-questions [data-category='{schooling_id}']")
    expect(questions).to_be_hidden()  # app.js shows only the chosen category's questions
    fill_complaint(
        page,
        TITLE,
        f"{enterprise_name}有两名职工的子女今年秋季入学没有学位，已多次咨询未果。联系人手机{DESCRIPTION_MOBILE}。",
    )
    expect(questions).to_be_visible()
    company.submit("#complaint-form")
    assert re.search(r"/my/tickets/\d+$", page.url)
    expect(page.locator(".alert.success")).to_contain_text("Your complaint has been filed")
    ticket_url = page.url.removeprefix(company.base_url)
    tracking_no = page.locator(".ticket-head strong").first.inner_text().strip()
    retrieval_code = page.locator(".retrieval strong.code").inner_text().strip()
    assert tracking_no and retrieval_code
    expect(page.locator(".ticket-head .badge.state-submitted")).to_be_visible()

    # The supervisor finds it in the acceptance queue and accepts it; routing sends it to the education bureau.
    office = people("supervisor")
    office.log_in(users["supervisor"], PASSWORD)
    office.screenshot("/console/", "console")
    page = office.page
    page.goto("/console/")
    page.get_by_role("link", name=tracking_no, exact=True).click()
    page.wait_for_url(re.compile(r"/console/tickets/\d+$"))
    console_url = page.url.removeprefix(office.base_url)
    office.screenshot(console_url, "console-ticket")
    page.locator("#act-accept summary").click()
    office.submit("#act-accept form")
    expect(page.locator(".ticket-head .badge.state-dispatched")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("区教育局")

    # The handler signs for it and replies with the result.
    unit = people("handler")
    unit.log_in(users["handler"], PASSWORD)
    unit.screenshot("/unit/", "unit")
    page = unit.page
    page.goto("/unit/")
    page.get_by_role("link", name=tracking_no, exact=True).click()
    page.wait_for_url(re.compile(r"/unit/tickets/\d+$"))
    unit_url = page.url.removeprefix(unit.base_url)
    unit.screenshot(unit_url, "unit-ticket")
    unit.submit("#panel-sign form")
    expect(page.locator(".ticket-head .badge.state-in_progress")).to_be_visible()
    page.locator("#panel-reply summary").click()
    page.check("#panel-reply input[name=outcome][value=resolved]")
    page.fill("#panel-reply textarea[name=text]", REPLY)
    unit.submit("#panel-reply form")
    expect(page.locator(".ticket-head .badge.state-replied")).to_be_visible()

    # The supervisor approves the reply from the review queue.
    page = office.page
    page.goto("/console/?tab=replies")
    page.get_by_role("link", name=tracking_no, exact=True).click()
    page.wait_for_url(re.compile(r"/console/tickets/\d+$"))
    page.locator("#act-approve_reply summary").click()
    office.submit("#act-approve_reply form")
    expect(page.locator(".ticket-head .badge.state-awaiting_rating")).to_be_visible()

    # The enterprise sees the reply and rates it: very satisfied, solved.
    page = company.page
    page.goto(ticket_url)
    expect(page.locator("#rate")).to_contain_text(REPLY)
    company.screenshot(ticket_url, "my-ticket")
    page.check(f"#rate input[name=rating][value='{Rating.VERY_SATISFIED.value}']")
    page.check("#rate input[name=solved][value=yes]")
    company.submit("#rate form")
    expect(page.locator(".ticket-head .badge.state-closed")).to_be_visible()

    # The supervisor publishes the problem (the draft is already masked), then the result.
    page = office.page
    page.goto("/console/?tab=to_publish")
    page.get_by_role("link", name=tracking_no, exact=True).click()
    page.wait_for_url(re.compile(r"/console/tickets/\d+$"))
    page.locator("#act-publish summary").click()
    draft_title = page.input_value("#act-publish input[name='publish-public_title']")
    draft_summary = page.input_value("#act-publish textarea[name='publish-public_summary']")
    assert draft_title == TITLE
    assert "入学没有学位" in draft_summary
    for secret in (DESCRIPTION_MOBILE, enterprise_name):
        assert secret not in draft_summary
    office.submit("#act-publish form")
    expect(page.locator(".ticket-head .badge", has_text="Published")).to_be_visible()
    page.locator("#act-publish_result summary").click()
    assert page.input_value("#act-publish_result textarea[name='publish_result-public_reply']") == REPLY
    office.submit("#act-publish_result form")
    expect(page.locator(".alert.danger")).to_have_count(0)

    ticket = db.session.scalar(select(Ticket).where(Ticket.tracking_no == tracking_no))
    assert (ticket.state, ticket.lead_unit_id, ticket.reply_outcome) == (State.CLOSED, edu_id, Outcome.RESOLVED)
    assert (ticket.rating, ticket.rating_solved) == (Rating.VERY_SATISFIED, True)
    assert ticket.published_at and ticket.result_published_at
    db.session.rollback()

    # A visitor finds it on the public pages: the problem and the result, without the company or the number.
    page = visitor.page
    page.goto("/disclosure")
    row = page.locator("tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=tracking_no, exact=True).click()
    page.wait_for_url(f"**/disclosure/{tracking_no}")
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("#result-title + .prose")).to_have_text(REPLY)
    expect(page.locator("main")).to_contain_text("Very satisfied")
    public_html = page.content()
    for secret in (enterprise_name, contact_name, DESCRIPTION_MOBILE, contact_mobile):
        assert secret not in public_html, f"{secret} appears on the public page"

    # Anyone with the tracking number and the retrieval code can follow the progress.
    page.goto("/lookup")
    page.fill("input[name=tracking_no]", tracking_no)
    page.fill("input[name=code]", retrieval_code)
    visitor.submit("#main form[action='/lookup']")
    expect(page.locator("#progress-title")).to_contain_text(tracking_no)
    expect(page.locator("#progress-title + .actions .badge.state-closed")).to_be_visible()
    assert enterprise_name not in page.content()

    visitor.screenshot("/", "home")
    visitor.screenshot("/disclosure", "disclosure")
    visitor.screenshot(f"/disclosure/{tracking_no}", "public-ticket")
    visitor.screenshot("/stats", "stats")

    admin = people("admin")
    admin.log_in(users["admin"], PASSWORD)
    admin.screenshot("/admin/", "admin")
    admin.screenshot("/ops/", "ops")
    admin.screenshot("/admin/calendar", "admin-calendar")


def test_double_clicking_the_submit_button_files_one_complaint(world, people):
    username = world.enterprise_user.username
    db.session.rollback()
    company = people("enterprise")
    company.log_in(username, PASSWORD)
    page = company.page
    page.goto("/my/new")
    fill_complaint(page, "重复提交测试", "双击提交按钮只应生成一件诉求。")

    # Hold the POST so that the second click lands while the first submission is under way, as it does
    # for a person on a slow connection (two clicks at once are merged by the browser itself).
    held = []
    page.route("**/my/new", lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    button = page.locator("#complaint-form button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(20)
    page.mouse.click(x, y)
    page.wait_for_timeout(300)

    assert len(held) == 1, "the second click sent the complaint again"
    with page.expect_navigation(url=re.compile(r"/my/tickets/\d+$")):
        held[0].continue_()
    assert ticket_count() == 1
    assert "Your complaint has been filed" in page.content()
