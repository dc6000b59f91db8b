"""In Chromium against a live server: an administrator enters next year's first holiday and an open
ticket's due date moves (its timeline says so); the unit then replies with a reply template chosen in
the form (the local script fills the text). Screenshots at 1366 and 390 px in /tmp/shots-calendar/."""

import re
from datetime import datetime
from pathlib import Path

import pytest

from supervise.domain import workflow
from supervise.domain.calendar_admin import sync_from_package
from supervise.domain.clock import frozen
from supervise.extensions import db
from supervise.models import ReplyTemplate, State, Ticket
from tests import browser_support
from tests.browser_support import PHONE, Session
from tests.factories import PASSWORD, file_ticket

pytestmark = [pytest.mark.browser, pytest.mark.committed]

SHOTS = Path("/tmp/shots-calendar")
DESKTOP = {"width": 1366, "height": 900}
TODAY = datetime(2026, 12, 21, 10)  # 2027 has no official schedule yet
ACCEPTED = datetime(2026, 12, 18, 9)
TEMPLATE_TEXT = "经协调，已为贵公司职工子女安排学位，请于开学前到校办理入学手续。"


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, name, SHOTS)


def test_a_new_holiday_moves_a_due_date_and_the_unit_replies_with_a_template(world, browser, base_url):
    from playwright.sync_api import expect

    sync_from_package([2026])
    ticket = file_ticket(world, at=ACCEPTED)
    workflow.perform(ticket, "accept", world.supervisor, at=ACCEPTED)
    workflow.perform(ticket, "sign", world.handler, at=ACCEPTED)
    db.session.add(ReplyTemplate(category=world.schooling, title="学位已协调", body=TEMPLATE_TEXT))
    db.session.commit()
    ticket_id, admin, handler = ticket.id, world.admin.username, world.handler.username
    assert ticket.handle_due == datetime(2027, 1, 8, 23, 59, 59)
    db.session.rollback()

    sessions = []
    with frozen(TODAY):
        try:
            office = Session(browser, base_url, "admin")
            unit = Session(browser, base_url, "handler")
            sessions += [office, unit]
            office.log_in(admin, PASSWORD)
            unit.log_in(handler, PASSWORD)
            unit_url = f"/unit/tickets/{ticket_id}"
            shoot(unit, unit_url, "unit-ticket-provisional")
            page = unit.page
            page.goto(unit_url)
            expect(page.locator("dl.facts")).to_contain_text("provisional")

            page = office.page
            page.goto("/admin/calendar?year=2027")
            expect(page.locator(".alert.warning")).to_contain_text("2027 is not entered yet")
            shoot(office, "/admin/calendar?year=2027", "admin-calendar-2027-missing")
            page.fill("input[name=day]", "2027-01-01")
            page.check("input[name=is_workday][value='0']")
            page.fill("input[name=name]", "元旦")
            office.submit("form[action*='/admin/calendar?year']")
            expect(page.locator(".flashes")).to_contain_text("follow the change")
            # the admin menu can overflow a phone once a day is listed: known, outside this change
            shoot(office, "/admin/calendar?year=2027", "admin-calendar-2027-entered")

            page = unit.page
            page.goto(unit_url)
            expect(page.locator("dl.facts")).not_to_contain_text("provisional")
            expect(page.locator(".timeline")).to_contain_text("Due date adjusted for the holiday calendar")
            expect(page.locator(".timeline")).to_contain_text("moved from")
            shoot(unit, unit_url, "unit-ticket-due-moved")

            page.locator("#panel-reply summary").click()
            page.check("#panel-reply input[name=outcome][value=resolved]")
            page.select_option("#reply-template-choice", label="学位已协调")
            expect(page.locator("#panel-reply textarea[name=text]")).to_have_value(TEMPLATE_TEXT)
            SHOTS.mkdir(parents=True, exist_ok=True)
            for size, suffix in ((PHONE, "390"), (DESKTOP, "1366")):
                page.set_viewport_size(size)
                page.locator("#panel-reply").screenshot(path=str(SHOTS / f"unit-reply-template-{suffix}.png"))
            page.set_viewport_size(DESKTOP)
            page.fill("#panel-reply textarea[name=text]", TEMPLATE_TEXT + "孩子已于下周入学。")
            with page.expect_navigation():  # the reply's own button (the other one inserts a template)
                page.locator("#panel-reply form button[type=submit]:not([form])").click()
            expect(page.locator(".ticket-head .badge.state-replied")).to_be_visible()
            errors = [e for s in sessions for e in s.errors]
            assert not errors, errors
        finally:
            for session in sessions:
                session.close()

    ticket = db.session.get(Ticket, ticket_id)
    db.session.refresh(ticket)
    assert ticket.handle_due == datetime(2027, 1, 11, 23, 59, 59)
    assert ticket.state == State.REPLIED and ticket.reply_text.startswith(TEMPLATE_TEXT)
    assert re.search("孩子已于下周入学", ticket.reply_text)
