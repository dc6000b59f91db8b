"""In Chromium, CSRF on: the lead unit reports a key project's month with a blocker, the supervisor
turns the blocker into a ticket and issues a supervision order on it from the project page, the unit
finds the order in its workbench; the register and the public projects page. Screenshots at 1366 and
390 px (test-artifacts/screenshots/project-*)."""

from datetime import timedelta
from pathlib import Path

import pytest

from supervise.domain.clock import now
from supervise.domain.projects import register
from supervise.extensions import db
from supervise.models import Role
from supervise.models.project import Blocker
from tests import browser_support
from tests.browser_support import Session
from tests.factories import PASSWORD, make_user
from tests.test_projects import make_project

pytestmark = [pytest.mark.browser, pytest.mark.committed]

BLOCKER = "施工用电增容申请迟迟未批复，影响设备调试。"
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, name, SHOTS)


def test_a_monthly_report_blocker_becomes_a_supervision_order(world, browser, base_url):
    from playwright.sync_api import expect

    project = make_project(
        world, description="年产30万套新能源汽车电驱系统，实行“一个项目、一名领导、一个专班、一套方案”服务。"
    )
    today = now().date()
    register.add_milestone(project, "项目签约", today - timedelta(days=200), today - timedelta(days=205))
    register.add_milestone(project, "开工建设", today - timedelta(days=120), today - timedelta(days=100))
    register.add_milestone(project, "主体结构封顶", today - timedelta(days=20))
    register.add_milestone(project, "竣工投产", today + timedelta(days=150))
    make_project(
        world,
        name="不公开的储能项目",
        public=False,
        lead_unit=world.hr,
        chief_officer=make_user(Role.LEADER, unit=world.hr),
        secretary=world.hr_handler,
        team=[],
    )
    db.session.commit()
    project_id, name = project.id, project.name
    db.session.rollback()
    sessions = []

    def person(label, username):
        s = Session(browser, base_url, label)
        sessions.append(s)
        s.log_in(username, PASSWORD)
        return s

    try:
        unit = person("handler", world.handler.username)
        page = unit.page
        page.goto("/unit/projects?tab=unit")
        expect(page.locator("main")).to_contain_text(name)
        shoot(unit, "/unit/projects?tab=unit", "project-unit-list")
        page.goto(f"/unit/projects/{project_id}/report")
        shoot(unit, f"/unit/projects/{project_id}/report", "project-report-form")
        page.fill("#main textarea[name=progress]", "设备安装完成80%，开始单机调试。")
        page.fill("#main input[name=percent]", "70")
        page.fill("#main input[name=investment_done]", "8.50")
        page.select_option("#main select[name=blocker_kind_1]", "stuck")
        page.fill("#main textarea[name=blocker_text_1]", BLOCKER)
        unit.submit("#main form.card")
        expect(page.locator("main")).to_contain_text(BLOCKER)

        office = person("supervisor", world.supervisor.username)
        page = office.page
        page.goto(f"/console/projects/{project_id}")
        blocker_id = page.locator(".blocker").first.get_attribute("id").split("-")[1]
        page.locator(f"#to-ticket-{blocker_id} summary").click()
        page.select_option(f"#to-ticket-{blocker_id} select[name=category]", str(world.schooling.id))
        office.submit(f"#to-ticket-{blocker_id} form")
        expect(page.locator(f"#blocker-{blocker_id}")).to_contain_text("26")
        page.locator(f"#order-{blocker_id} summary").click()
        page.select_option(f"#order-{blocker_id} select[name=level]", "key")
        page.fill(f"#order-{blocker_id} input[name=deadline]", (now().date() + timedelta(days=5)).isoformat())
        page.fill(f"#order-{blocker_id} textarea[name=note]", "请三日内协调供电公司完成增容。")
        office.submit(f"#order-{blocker_id} form")
        expect(page.locator(f"#blocker-{blocker_id} .tag").last).to_be_visible()
        shoot(office, f"/console/projects/{project_id}", "project-console-page")
        shoot(office, "/console/projects", "project-register")
        shoot(office, "/console/projects/new", "project-new")
        page.goto("/console/projects")
        expect(page.locator(f"#project-{project_id} .open-blockers")).to_have_text("1")

        page = unit.page
        page.goto("/unit/?tab=orders")
        expect(page.locator("main table")).to_contain_text("重点项目")
        shoot(unit, f"/unit/projects/{project_id}", "project-unit-page")

        public = Session(browser, base_url, "public")
        sessions.append(public)
        public.page.goto("/projects")
        expect(public.page.locator("main")).to_contain_text(name)
        expect(public.page.locator("main")).not_to_contain_text("不公开的储能项目")
        expect(public.page.locator("main")).not_to_contain_text(world.acme.name)
        shoot(public, "/projects", "project-public")

        errors = [e for s in sessions for e in s.errors]
        assert not errors, errors
    finally:
        for s in sessions:
            s.close()

    db.session.expire_all()
    blocker = db.session.query(Blocker).one()
    assert blocker.ticket is not None and [o.level for o in blocker.ticket.supervision_orders] == ["key"]
