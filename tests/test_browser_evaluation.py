"""In Chromium, CSRF on: the office invites an evaluator and reads the link once; the evaluator, with
no account, scores both units through it and cannot use it again; the office closes scoring; the
unit reads the comments (no names) and answers one; the office publishes; the public page shows the
results beside the measured figures, masked. Pages photographed in Chinese at 1366 and 390 px."""

from urllib.parse import urlsplit

import pytest

from supervise.domain import evaluation as rules
from supervise.extensions import db
from supervise.models.evaluation import COMMITTEE, SERVICE_USER
from tests import browser_support
from tests.browser_support import Session
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.committed]

SHOTS = browser_support.SCREENSHOTS
COMMENT = "窗口高峰时段排队较长，襄阳市恒达精密制造有限公司反映等了一个多小时。"
ANSWER = "已在周一、周五高峰时段增设两个弹性窗口，平均等候时间缩短到15分钟。"


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, f"evaluation-{name}", SHOTS)


def _other_votes(evaluation_id: int, supervisor) -> None:
    """Two more evaluators score both units, so that the results show a score (at least three votes)."""
    from supervise.models import Evaluation

    db.session.expire_all()  # the office opened it through the server
    evaluation = db.session.get(Evaluation, evaluation_id)
    for kind, base in ((COMMITTEE, 80), (SERVICE_USER, 70)):
        token = rules.invite(evaluation, kind, f"评议人{kind}", supervisor)[1].rsplit("/", 1)[1]
        evaluator = rules.evaluator_for(token)
        for report in evaluation.reports:
            rules.cast_vote(evaluator, report, {c.id: base for c in evaluation.criteria}, "")
    db.session.commit()


def test_an_evaluator_scores_through_a_link_a_unit_answers_and_the_results_are_published(world, browser, base_url):
    from playwright.sync_api import expect

    evaluation = rules.create_evaluation(
        "2026年度优化营商环境工作人大评议",
        2026,
        [world.edu, world.hr],
        [rules.Criterion("履职尽责", 60, "落实主体责任"), rules.Criterion("作风建设", 40, "服务态度和效率")],
        world.supervisor,
    )
    rules.submit_report(evaluation.reports[0], "一、主要工作……\n二、存在问题……\n三、下步打算……", None, world.handler)
    db.session.commit()
    evaluation_id, edu_report = evaluation.id, evaluation.reports[0].id
    supervisor = world.supervisor
    sessions = []

    def person(label, username=None):
        s = Session(browser, base_url, label)
        sessions.append(s)
        if username:
            s.log_in(username, PASSWORD)
        return s

    try:
        office = person("supervisor", world.supervisor.username)
        page = office.page
        page.goto(f"/console/evaluations/{evaluation_id}")
        office.submit("form[action$='/open']")
        page.select_option("#kind", "deputy")
        page.fill("#name", "张代表")
        office.submit("form[action$='/invite']")
        link = urlsplit(page.locator("input[readonly]").input_value()).path  # on PUBLIC_BASE_URL
        assert link.startswith("/evaluate/")
        shoot(office, f"/console/evaluations/{evaluation_id}", "office")
        assert link not in page.content()  # shown once only

        evaluator = person("evaluator")
        page = evaluator.page
        page.goto(link)
        assert page.url.endswith("/evaluate")  # the token left the address bar
        shoot(evaluator, "/evaluate", "evaluator-home")
        page.goto(f"/evaluate/units/{edu_report}")
        shoot(evaluator, f"/evaluate/units/{edu_report}", "evaluator-vote")
        numbers = page.locator("#main form input[type=number]")
        numbers.nth(0).fill("88")
        numbers.nth(1).fill("76")
        page.fill("#main form textarea[name=comment]", COMMENT)
        evaluator.submit("#main form")
        expect(page.locator(".alert.success")).to_be_visible()
        page.locator("a.btn.primary").first.click()
        numbers = page.locator("#main form input[type=number]")
        numbers.nth(0).fill("70")
        numbers.nth(1).fill("72")
        evaluator.submit("#main form")
        expect(page.locator(".alert.success")).to_contain_text("You have scored every unit")
        page.screenshot(path=str(SHOTS / "evaluation-evaluator-finished-1366.png"), full_page=True)
        page.goto(link)
        expect(page.locator(".alert.warning")).to_contain_text("no longer works")

        _other_votes(evaluation_id, supervisor)
        page = office.page
        page.goto(f"/console/evaluations/{evaluation_id}")
        office.submit("form[action$='/close']")

        unit = person("handler", world.handler.username)
        page = unit.page
        page.goto(f"/unit/evaluations/{edu_report}")
        assert "张代表" not in page.content()
        page.fill("#main textarea[name=text]", ANSWER)
        unit.submit("#main section[id^=comment-] form")
        expect(page.locator(".alert.success")).to_be_visible()
        shoot(unit, f"/unit/evaluations/{edu_report}", "unit")

        page = office.page
        page.goto(f"/console/evaluations/{evaluation_id}")
        office.submit("form[action$='/publish']")

        public = person("public")
        page = public.page
        page.goto(f"/evaluations/{evaluation_id}")
        content = page.content()
        assert "恒达精密" not in content and "张代表" not in content
        assert ANSWER in content and "窗口高峰时段排队较长" in content
        shoot(public, f"/evaluations/{evaluation_id}", "public")
        errors = [e for s in sessions for e in s.errors]
        assert not errors, errors
    finally:
        for s in sessions:
            s.close()
