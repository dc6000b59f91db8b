"""In Chromium, CSRF on: a cadre writes their pledge, the office publishes the card, the public reads the
cards list and the card (no enterprise named), the paired enterprise rates its cadre once. Pages
photographed at 1366 and 390 px (test-artifacts/screenshots/pledges-*)."""

from datetime import timedelta

import pytest

from supervise.domain import pledges
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import ServiceRating, VisitWay
from tests import browser_support
from tests.browser_support import SCREENSHOTS, Session
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PLEDGE = "企业有诉求，24小时内回应、3个工作日内上门；每月至少走访一次，问题不解决不撒手。"


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, f"pledges-{name}", SCREENSHOTS)


def test_a_cadre_pledges_the_office_publishes_the_public_reads_and_the_enterprise_rates(world, browser, base_url):
    from playwright.sync_api import expect

    today = now().date()
    pledges.add_project(world.cadre, "新能源汽车电驱系统产业园项目", "主体施工")
    for days in (3, 40, 75, 130):
        pledges.log_visit(
            world.cadre, world.acme, visited_on=today - timedelta(days=days), way=VisitWay.ON_SITE, summary="走访"
        )
    db.session.commit()
    cadre_id, names = world.cadre.id, world.acme.redaction_terms()
    sessions = []

    def person(label, username=None):
        s = Session(browser, base_url, label)
        sessions.append(s)
        if username:
            s.log_in(username, PASSWORD)
        return s

    try:
        cadre = person("cadre", world.cadre.username)
        page = cadre.page
        page.goto("/my/pledge")
        page.select_option("#unit_id", str(world.edu.id))
        page.fill("#title", "副局长")
        page.fill("#phone", "0710-3456789")
        page.fill("#pledge", PLEDGE)
        cadre.submit("#main form")
        expect(page.locator(".alert.success")).to_be_visible()
        shoot(cadre, "/my/pledge", "cadre-pledge")
        page.goto(f"/my/enterprises/{world.acme.id}/visits")
        page.fill("#summary", "电话回访用工问题")
        page.check("input[name=way][value=phone]")
        cadre.submit("#main form")
        expect(page.locator("table")).to_contain_text("电话回访用工问题")
        shoot(cadre, f"/my/enterprises/{world.acme.id}/visits", "cadre-visits")

        office = person("supervisor", world.supervisor.username)
        page = office.page
        page.goto("/console/pledges")
        office.submit(f"form[action$='/console/pledges/{cadre_id}/publish']")
        expect(page.locator(".alert.success")).to_be_visible()
        shoot(office, "/console/pledges", "console")

        public = person("public")
        page = public.page
        page.goto("/cadres")
        expect(page.locator(".cadre-card")).to_contain_text(world.cadre.name)
        page.click(f"a[href='/cadres/{cadre_id}']")
        expect(page.locator("blockquote.pledge")).to_contain_text("24小时内回应")
        text = page.content()
        assert not [n for n in names if n in text] and "0710-3456789" not in text
        shoot(public, "/cadres", "public-list")
        shoot(public, f"/cadres/{cadre_id}", "public-card")

        company = person("enterprise", world.enterprise_user.username)
        page = company.page
        page.goto("/my/cadres")
        expect(page.locator(f"#cadre-{cadre_id}")).to_contain_text("0710-3456789")
        shoot(company, "/my/cadres", "enterprise-before")
        page.check(f"#cadre-{cadre_id} input[name=score][value='5']")
        page.fill(f"#comment-{cadre_id}", "走访勤，问题反馈及时。")
        company.submit(f"#cadre-{cadre_id} form")
        expect(page.locator(".alert.success").first).to_be_visible()
        expect(page.locator(f"#cadre-{cadre_id} form")).to_have_count(0)  # once a year
        shoot(company, "/my/cadres", "enterprise-rated")
        assert [s.errors for s in sessions] == [[] for _ in sessions]
    finally:
        for s in sessions:
            s.context.close()
    db.session.rollback()
    assert [(r.score, r.enterprise_id) for r in db.session.query(ServiceRating)] == [(5, world.acme.id)]
