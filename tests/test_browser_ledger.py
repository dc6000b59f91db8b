"""In Chromium, CSRF on: the office starts a supervision round, scores the unit on the checklist and
records a finding; the unit submits its rectification with evidence; the office sends it back, the unit
submits again, the office closes it (销号); the next round verifies it; the public rectification page
shows it, masked. Pages photographed in Chinese at 1366 and 390 px (test-artifacts/screenshots/ledger-*)."""

import re
from datetime import date

import pytest

from supervise.domain import ledger
from supervise.extensions import db
from supervise.models import LedgerItem, LedgerSource, LedgerState
from tests import browser_support
from tests.browser_support import SCREENSHOTS, Session
from tests.factories import PASSWORD, PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.committed]

FINDING = "宣传培训未覆盖一线窗口人员"
SUMMARY = "一线窗口人员营商环境培训已全覆盖，培训记录已归档。"


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, f"ledger-{name}", SCREENSHOTS)


def test_a_round_from_checklist_to_findings_to_closure_and_the_public_page(world, browser, base_url, tmp_path):
    from playwright.sync_api import expect

    # Earlier problems, so that the public page has more than one source to count.
    for n in range(3):
        ledger.create_item(world.supervisor, LedgerSource.PROVINCIAL, f"省级反馈问题{n}", world.hr, date(2026, 12, 31))
    db.session.commit()
    sessions = []

    def person(label, username):
        s = Session(browser, base_url, label)
        sessions.append(s)
        s.log_in(username, PASSWORD)
        return s

    try:
        office = person("supervisor", world.supervisor.username)
        page = office.page
        page.goto("/console/rounds")
        page.fill("#name", "第一轮闭环督导")
        page.fill("#period_start", "2026-04-01")
        page.fill("#period_end", "2026-04-27")
        page.check(f"#new-round input[name=unit_ids][value='{world.edu.id}']")
        page.check(f"#new-round input[name=unit_ids][value='{world.hr.id}']")
        office.submit("#new-round form")
        first_url = page.url
        assert re.search(r"/console/rounds/\d+$", first_url)
        for key, value in (("responsibility", 88), ("rectification", 76), ("mechanism", 90), ("publicity", 64)):
            page.fill(f"input[name=score-{world.edu.id}-{key}]", str(value))
            page.fill(f"input[name=score-{world.hr.id}-{key}]", str(value - 3))
        office.submit("#scores form")
        expect(page.locator(".alert.success")).to_be_visible()
        expect(page.locator(".score-grid tbody tr").first).to_contain_text("79.5")
        page.locator("#add-finding summary").click()
        page.select_option("#add-finding select[name=unit_id]", str(world.edu.id))
        page.fill("#add-finding input[name=title]", FINDING)
        page.fill("#add-finding input[name=deadline]", "2026-05-31")
        office.submit("#add-finding form")
        expect(page.locator("#findings")).to_contain_text(FINDING)
        shoot(office, page.url.replace(base_url, ""), "round")
        item_id = db.session.scalar(db.select(LedgerItem.id).where(LedgerItem.title == FINDING))

        unit = person("handler", world.handler.username)
        page = unit.page
        page.goto("/unit/ledger")
        page.click(f"text={FINDING}")
        page.fill("#submit textarea[name=measures]", "已组织一线窗口人员专题培训两次。")
        pdf = tmp_path / "培训签到表.pdf"
        pdf.write_bytes(PDF_BYTES)
        page.set_input_files("#submit input[type=file]", str(pdf))
        unit.submit("#submit form")
        expect(page.locator(".page-head .badge").first).to_contain_text("Awaiting sign-off")

        page = office.page
        page.goto(f"/console/ledger/{item_id}")
        page.fill("#send-back textarea[name=reason]", "请补充培训照片。")
        office.submit("#send-back form")
        expect(page.locator(".page-head .badge").first).to_contain_text("Rectifying")

        page = unit.page
        page.goto(f"/unit/ledger/{item_id}")
        expect(page.locator(".timeline")).to_contain_text("请补充培训照片。")
        page.fill("#submit textarea[name=measures]", "已组织培训两次，补充培训照片。")
        unit.submit("#submit form")
        shoot(unit, f"/unit/ledger/{item_id}", "unit-item")

        page = office.page
        page.goto(f"/console/ledger/{item_id}")
        expect(page.locator("ul.files a")).to_contain_text("培训签到表.pdf")
        page.fill("#accept textarea[name=public_summary]", SUMMARY)
        office.submit("#accept form")
        expect(page.locator(".page-head .badge").first).to_contain_text("Rectified and closed")
        shoot(office, f"/console/ledger/{item_id}", "console-item")
        shoot(office, "/console/ledger", "console-ledger")

        page.goto("/console/rounds")
        page.fill("#name", "第二轮闭环督导")
        page.fill("#period_start", "2026-06-01")
        page.fill("#period_end", "2026-06-30")
        page.check(f"#new-round input[name=unit_ids][value='{world.edu.id}']")
        office.submit("#new-round form")
        page.select_option("#verification select[name=result]", "confirmed")
        page.fill("#verification input[name=note]", "抽查培训记录属实")
        office.submit("#verification form")
        expect(page.locator("#verification")).to_contain_text("Confirmed rectified")
        shoot(office, page.url.replace(base_url, ""), "round-verification")

        visitor = Session(browser, base_url, "visitor")
        sessions.append(visitor)
        page = visitor.page
        page.goto("/")
        page.click("footer >> text=Supervision in public")
        page.click("main >> text=Rectification progress")
        expect(page.locator("main")).to_contain_text("1 of 4 problems rectified and closed")
        expect(page.locator("ol.rectified")).to_contain_text(SUMMARY)
        expect(page.locator("main")).not_to_contain_text(world.acme.name)
        shoot(visitor, "/rectification", "public")

        errors = [e for s in sessions for e in s.errors]
        assert not errors, errors
    finally:
        for s in sessions:
            s.close()

    db.session.expire_all()
    assert db.session.get(LedgerItem, item_id).state == LedgerState.CLOSED
