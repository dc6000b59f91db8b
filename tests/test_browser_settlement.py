"""In Chromium, CSRF on: the supervisor previews 2026 Q1, enters a site-tour score, saves a new
version of the weights, settles the quarter, records an adjustment with its reason and downloads the
settlement notice, which reads back with the ranking shown; the public sees the frozen ranking and a
unit's history. Pages photographed at 1366 and 390 px (/tmp/shots-settlement/)."""

import io
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from supervise.domain import subscribers
from supervise.domain.clock import now
from supervise.domain.measures import cells
from supervise.extensions import db
from supervise.models import Settlement
from tests import browser_support
from tests.browser_support import Session
from tests.factories import PASSWORD, dispatched, handled

pytestmark = [pytest.mark.browser, pytest.mark.committed]

SHOTS = Path("/tmp/shots-settlement")
REASON = "经核实，两件超时签收系平台升级停机所致。"


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, name, SHOTS)


def test_a_quarter_is_settled_adjusted_and_its_notice_generated(world, browser, base_url):
    from playwright.sync_api import expect

    subscribers.connect_all()
    handled(world, dispatched(world, world.schooling), world.handler, rating=5)
    handled(world, dispatched(world, world.hiring), world.hr_handler, rating=2, solved=False)
    cells.refresh_all(now())
    db.session.commit()
    hr_name, edu_id = world.hr.name, world.edu.id
    sessions = []
    try:
        office = Session(browser, base_url, "supervisor")
        sessions.append(office)
        office.log_in(world.supervisor.username, PASSWORD)
        page = office.page
        page.goto("/console/")
        page.click("a[href='/console/quarters']")
        page.click("a[href='/console/quarters/2026-Q1']")
        expect(page.locator("main table").first).to_contain_text(hr_name)
        header = page.locator("main table").first.locator("thead th").count()
        assert page.locator("main table").first.locator("tbody tr").first.locator("td").count() == header
        shoot(office, "/console/quarters/2026-Q1", "quarter-preview")

        page.goto("/console/quarters/2026-Q1")
        page.select_option("#tour-unit_id", label=hr_name)
        page.fill("#tour-site", "新能源汽车动力电池产业园项目")
        page.fill("#tour-score", "91")
        office.submit("#site-tour")
        expect(page.locator("#site-tour table")).to_contain_text("新能源汽车动力电池产业园项目")

        page.fill("#scheme-w_first_satisfaction", "20")
        page.fill("#scheme-note", "首次满意率权重提高至20分")
        office.submit("#scheme")
        expect(page.locator("#scheme h2")).to_contain_text("version 1")  # the defaults were never saved

        office.submit("form[action$='/settle']")  # the confirm() dialog is accepted
        expect(page.locator(".alert.success").first).to_be_visible()
        card = page.locator("#adjust details").last
        card.locator("summary").click()
        card.locator("input[name$='-points']").fill("2")
        card.locator("textarea[name$='-reason']").fill(REASON)
        office.submit("#adjust details:last-of-type")
        expect(page.locator("#adjust")).to_contain_text(REASON)
        shoot(office, "/console/quarters/2026-Q1", "quarter-settled")

        with page.expect_download() as download:
            page.click("a[href$='notice.docx']")
        document = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
        shown = [cell.text for row in document.tables[0].rows[1:] for cell in row.cells[:2]]
        settled = db.session.scalars(select(Settlement)).one()
        assert shown == [t for c in settled.scorecards for t in (str(c.rank), c.unit_name)]
        assert REASON in "\n".join(p.text for p in document.paragraphs)

        visitor = Session(browser, base_url, "visitor")
        sessions.append(visitor)
        page = visitor.page
        page.goto("/quarters")
        page.click("a[href='/quarters/2026-Q1']")
        expect(page.locator("main table")).to_contain_text(hr_name)
        expect(page.locator("main")).not_to_contain_text(world.acme.name)
        shoot(visitor, "/quarters", "public-quarters")
        shoot(visitor, "/quarters/2026-Q1", "public-quarter")
        shoot(visitor, f"/units/{edu_id}/quarters", "public-unit-history")

        errors = [e for s in sessions for e in s.errors]
        assert not errors, errors
    finally:
        for s in sessions:
            s.close()
