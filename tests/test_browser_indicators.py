"""In Chromium, CSRF on: the responsible unit reports a month's progress on a task of an indicator
with a PDF as evidence, the indicator's chief sees it and downloads the evidence, and the office reads
the board (with the red item of a silent, overdue task) and a spreadsheet refused row by row.
Pages photographed in Chinese at 1366 and 390 px (test-artifacts/screenshots/indicators-*)."""

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from supervise.domain.calendar import WorkingCalendar
from supervise.domain.clock import frozen
from supervise.domain.indicator_duties import task_warnings
from supervise.extensions import db
from tests import browser_support
from tests.browser_support import SCREENSHOTS, Session
from tests.factories import PASSWORD, PDF_BYTES
from tests.indicator_support import build_list

pytestmark = [pytest.mark.browser, pytest.mark.committed]

NOW = datetime(2026, 12, 9, 10)  # the report of December (due Monday the 7th) is two days late


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, f"indicators-{name}", SCREENSHOTS)


def _bad_sheet(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["指标", "层级", "上级任务", "任务名称", "责任单位", "配合单位", "完成时限", "预期成果"])
    sheet.append(["政务服务", "大项", "", "优化审批服务", "区教育局", "", date(2027, 12, 31), ""])
    sheet.append(["营商口碑", "小项", "优化审批服务", "提升满意度", "区文旅局", "", "年底前", ""])
    sheet.append(["政务服务", "小项", "", "", "区教育局", "", date(2027, 6, 30), ""])
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())


def test_a_task_reported_with_evidence_seen_by_the_chief_and_the_office_board(world, browser, base_url, tmp_path):
    from playwright.sync_api import expect

    listed = build_list(world)
    listed.other_minor.deadline = date(2026, 11, 30)
    db.session.commit()
    task_warnings(datetime(2026, 12, 1, 9), WorkingCalendar())
    task_warnings(datetime(2026, 12, 8, 9), WorkingCalendar())  # other_minor: deadline red already
    db.session.commit()
    minor_id, other_id = listed.minor.id, listed.other_minor.id
    db.session.rollback()
    sessions: list[Session] = []

    def person(label, username):
        s = Session(browser, base_url, label)
        sessions.append(s)
        s.log_in(username, PASSWORD)
        return s

    try:
        with frozen(NOW):
            unit = person("hr", world.hr_handler.username)
            page = unit.page
            page.goto("/unit/indicators")
            page.locator(f"#own a[href='/unit/indicators/tasks/{minor_id}']").click()
            page.fill("#report textarea[name=text]", "就业服务“一件事”已上线试运行，完成窗口人员培训2场。")
            page.fill("#report input[name=percent]", "60")
            pdf = tmp_path / "一件事上线通知.pdf"
            pdf.write_bytes(PDF_BYTES)
            page.set_input_files("#report input[type=file]", str(pdf))
            unit.submit("#report form")
            expect(page.locator("#reports .event")).to_have_count(1)
            expect(page.locator("#reports")).to_contain_text("一件事上线通知.pdf")
            expect(page.locator("#reports .badge.warn-orange")).to_be_visible()  # filed after the 7th
            expect(page.locator("#warnings tbody tr")).to_have_count(1)  # the yellow of the 8th, cleared
            expect(page.locator("#warnings tbody tr td").last).to_have_text("2026-12-09")
            shoot(unit, f"/unit/indicators/tasks/{minor_id}", "task-reported")
            shoot(unit, "/unit/indicators", "unit-list")

            chief = person("chief", world.leader.username)
            page = chief.page
            page.goto("/unit/indicators")
            expect(page.locator(f"#chief-{listed.service.id}")).to_contain_text("推进就业服务")
            shoot(chief, "/unit/indicators", "chief-list")
            page.goto(f"/unit/indicators/tasks/{minor_id}")
            expect(page.locator("#report")).to_have_count(0)  # the chief reads, the unit reports
            with page.expect_download() as download:
                page.locator("#reports ul.attachments a").first.click()
            assert download.value.suggested_filename == "一件事上线通知.pdf"

            office = person("office", world.supervisor.username)
            page = office.page
            page.goto("/console/indicators?year=2026")
            expect(page.locator("#total-tasks")).to_have_text("3")
            expect(page.locator("#red-items")).to_contain_text("开展春风行动专项招聘")
            expect(page.locator(f"#red-items a[href='/unit/indicators/tasks/{other_id}']")).to_be_visible()
            shoot(office, "/console/indicators?year=2026", "board")

            page.goto("/console/indicators/import?year=2027")
            sheet = tmp_path / "清单.xlsx"
            _bad_sheet(sheet)
            page.set_input_files("input[name=sheet]", str(sheet))
            office.submit("#main form[enctype]")
            expect(page.locator("#import-errors tbody tr")).to_have_count(2)
            page.goto("/language/zh_CN?next=/console/indicators/import")
            page.set_input_files("input[name=sheet]", str(sheet))
            office.submit("#main form[enctype]")
            expect(page.locator("#import-errors")).to_contain_text("区文旅局")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(SCREENSHOTS / f"indicators-import-errors-{width}.png"), full_page=True)
                assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

        errors = [e for s in sessions for e in s.errors]
        assert errors == []
    finally:
        for s in sessions:
            s.close()
