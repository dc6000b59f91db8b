"""In Chromium, CSRF on: the supervisor merges rival's complaint into acme's, the unit replies with a
PDF, the supervisor sends the reply, and both filers rate it, each on their own ticket; the merged
filer follows the surviving ticket, masked. Pages photographed at 1366 and 390 px (/tmp/shots-merge/)."""

import re
from pathlib import Path

import pytest

from supervise.extensions import db
from supervise.models import Rating, State, Ticket
from tests import browser_support
from tests.browser_support import Session
from tests.factories import PASSWORD, PDF_BYTES, advance, file_ticket

pytestmark = [pytest.mark.browser, pytest.mark.committed]

SHOTS = Path("/tmp/shots-merge")
REPLY = "已协调东津小学增加学位，两家企业职工子女均已入学。"


def shoot(session: Session, path: str, name: str) -> None:
    browser_support.photograph(session, path, name, SHOTS)


def test_merge_reply_with_a_file_and_both_filers_rate(world, browser, base_url, tmp_path):
    from playwright.sync_api import expect

    survivor = file_ticket(world, title="恒达精密职工子女入学难")
    advance(world, survivor, State.IN_PROGRESS)
    merged = file_ticket(world, enterprise=world.rival, title="云帆职工子女也没有学位")
    db.session.commit()
    survivor_id, merged_id, survivor_no = survivor.id, merged.id, survivor.tracking_no
    db.session.rollback()
    sessions = []

    def person(label, username):
        s = Session(browser, base_url, label)
        sessions.append(s)
        s.log_in(username, PASSWORD)
        return s

    try:
        office = person("supervisor", world.supervisor.username)
        page = office.page
        page.goto(f"/console/tickets/{merged_id}")
        page.locator("#act-merge summary").click()
        page.fill("#act-merge input[name=merge-into]", survivor_no)
        office.submit("#act-merge form")
        expect(page.locator(".ticket-head .badge.state-merged")).to_be_visible()

        unit = person("handler", world.handler.username)
        page = unit.page
        page.goto(f"/unit/tickets/{survivor_id}")
        page.locator("#panel-reply summary").click()
        page.check("#panel-reply input[name=outcome][value=resolved]")
        page.fill("#panel-reply textarea[name=text]", REPLY)
        pdf = tmp_path / "恒达精密学位协调答复.pdf"
        pdf.write_bytes(PDF_BYTES)
        page.set_input_files("#panel-reply input[type=file]", str(pdf))
        unit.submit("#panel-reply form")
        expect(page.locator(".ticket-head .badge.state-replied")).to_be_visible()

        page = office.page
        page.goto(f"/console/tickets/{survivor_id}")
        page.locator("#act-approve_reply summary").click()
        office.submit("#act-approve_reply form")
        expect(page.locator(".ticket-head .badge.state-awaiting_rating")).to_be_visible()

        rival = person("rival", world.rival_user.username)
        page = rival.page
        page.goto(f"/my/tickets/{merged_id}")
        expect(page.locator("#merged")).to_contain_text(survivor_no)
        expect(page.locator("#rate")).to_contain_text("东津小学")
        shoot(rival, f"/my/tickets/{merged_id}", "merged-ticket")
        shoot(rival, f"/my/tickets/{merged_id}/followed", "followed")
        page.goto(f"/my/tickets/{merged_id}/followed")
        expect(page.locator("main")).not_to_contain_text("恒达")
        expect(page.locator("ul.attachments a")).to_have_count(1)
        page.goto(f"/my/tickets/{merged_id}")
        page.check(f"#rate input[name=rating][value='{Rating.SATISFIED.value}']")
        page.check("#rate input[name=solved][value=yes]")
        rival.submit("#rate form")
        expect(page.locator("#rate")).to_have_count(0)
        shoot(rival, f"/my/tickets/{merged_id}", "merged-ticket-rated")

        acme = person("acme", world.enterprise_user.username)
        page = acme.page
        page.goto(f"/my/tickets/{survivor_id}")
        expect(page.locator("ul.attachments")).to_contain_text("恒达精密学位协调答复.pdf")
        page.check(f"#rate input[name=rating][value='{Rating.VERY_SATISFIED.value}']")
        page.check("#rate input[name=solved][value=yes]")
        acme.submit("#rate form")
        expect(page.locator(".ticket-head .badge.state-closed")).to_be_visible()
        assert re.search(r"/my/tickets/\d+$", page.url)

        errors = [e for s in sessions for e in s.errors]
        assert not errors, errors
    finally:
        for s in sessions:
            s.close()

    db.session.expire_all()
    assert db.session.get(Ticket, merged_id).rating == Rating.SATISFIED
    assert db.session.get(Ticket, survivor_id).rating == Rating.VERY_SATISFIED
