"""In Chromium, CSRF on: a supervisor prepares and opens a campaign, a cadre records a visit with a
problem, the problem is handled (accepted and dispatched, signed, replied, rated) and published, and the
public campaign report shows it with its result, masked. Pages photographed at 1366 and 390 px
(test-artifacts/screenshots/campaign-*)."""

import pytest
from sqlalchemy import select

from supervise.extensions import db
from supervise.models import Campaign, State, Ticket
from tests import browser_support
from tests.browser_support import Session
from tests.factories import PASSWORD, advance, publish

pytestmark = [pytest.mark.browser, pytest.mark.committed]

SHOTS = browser_support.SCREENSHOTS


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, name, SHOTS)


def test_a_campaign_from_opening_to_its_public_report(world, browser, base_url):
    from playwright.sync_api import expect

    sessions = []

    def person(label, username):
        s = Session(browser, base_url, label)
        sessions.append(s)
        s.log_in(username, PASSWORD)
        return s

    try:
        office = person("supervisor", world.supervisor.username)
        page = office.page
        page.goto("/console/")
        page.click("a[href='/console/campaigns']")
        page.click("a[href='/console/campaigns/new']")
        page.fill("#name", "2026年第4季度“刀刃向内找问题、倾听心声谋发展”主题活动")
        page.fill("#year", "2026")
        page.select_option("#quarter", "4")
        page.fill("#theme", "稳岗用工、子女入学专题")
        page.check("#target_all")
        page.check(f"#unit_ids-group input[value='{world.edu.id}']")
        page.check(f"#cadre_ids-group input[value='{world.cadre.id}']")
        page.fill("#question_text", "企业当前最急需解决的问题？\n对营商环境的意见建议？")
        office.submit("#main form.card")
        campaign_id = db.session.scalar(select(Campaign.id))
        db.session.rollback()
        shoot(office, f"/console/campaigns/{campaign_id}/edit", "campaign-form")
        page.goto(f"/console/campaigns/{campaign_id}")
        office.submit("#main .page-head form")  # open the campaign
        expect(page.locator("h1 .tag")).to_contain_text("open")

        cadre = person("cadre", world.cadre.username)
        page = cadre.page
        page.goto("/my/campaign-visits")
        page.click(f"a[href='/my/campaigns/{campaign_id}/visit']")
        page.select_option("#enterprise_id", str(world.acme.id))
        page.fill("#people_met", "王建国（总经理）")
        page.select_option("#problems-0-category_id", str(world.schooling.id))
        page.fill("#problems-0-title", "职工子女入学难")
        page.fill("#problems-0-description", "三名职工子女今年秋季没有学位，希望协调东津小学。")
        shoot(cadre, f"/my/campaigns/{campaign_id}/visit", "campaign-visit")
        page.goto(f"/my/campaigns/{campaign_id}/visit")
        page.select_option("#enterprise_id", str(world.acme.id))
        page.fill("#people_met", "王建国（总经理）")
        page.select_option("#problems-0-category_id", str(world.schooling.id))
        page.fill("#problems-0-title", "职工子女入学难")
        page.fill("#problems-0-description", "三名职工子女今年秋季没有学位，希望协调东津小学。")
        cadre.submit("#main form.card")
        expect(page.locator(".flashes")).to_contain_text("The visit is recorded")
        shoot(cadre, "/my/campaign-visits", "campaign-visits")

        ticket = db.session.scalar(select(Ticket).where(Ticket.campaign_id == campaign_id))
        assert ticket.enterprise_id == world.acme.id
        advance(world, ticket, State.CLOSED)  # accepted (routed to edu), signed, replied, approved, rated
        assert ticket.lead_unit_id == world.edu.id
        publish(world, ticket)
        db.session.commit()

        page = office.page
        page.goto(f"/console/campaigns/{campaign_id}")
        expect(page.locator("[data-figure=reached]")).to_have_text("1 / 2")
        expect(page.locator("[data-figure=resolved]")).to_have_text("1")
        shoot(office, f"/console/campaigns/{campaign_id}", "campaign-page")

        public = Session(browser, base_url, "public")
        sessions.append(public)
        page = public.page
        page.goto("/campaigns")
        page.click(f"a[href='/campaigns/{campaign_id}']")
        expect(page.locator("#problems")).to_contain_text("已协调解决。")
        expect(page.locator("main")).not_to_contain_text(world.acme.name)
        shoot(public, f"/campaigns/{campaign_id}", "campaign-report")
        shoot(public, "/campaigns", "campaign-reports")

        errors = [e for s in sessions for e in s.errors]
        assert not errors, errors
    finally:
        for s in sessions:
            s.close()
