"""In headless Chromium: likely duplicates hinted in the dispatch queue, listed on the intake view and
merged with one click (confirmed, through the state machine, CSRF on); the public list keeps its state
and rating columns on a phone, and the statistics table shows its last column on a laptop. Screenshots
in Chinese at 1366 px and 390 px go to /tmp/shots-dupes/."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from supervise.domain.clock import now
from supervise.domain.measures import cells
from supervise.extensions import db
from supervise.models import State
from tests import browser_support
from tests.browser_support import Session
from tests.factories import PASSWORD, advance, file_ticket, publish

pytestmark = [pytest.mark.browser, pytest.mark.committed]  # the live server reads from its threads

SHOTS = Path("/tmp/shots-dupes")
LAPTOP = {"width": 1366, "height": 768}
PHONE = browser_support.PHONE
RENT = "厂房租金减免承诺未执行"


@pytest.fixture
def session(browser, base_url):
    opened = Session(browser, base_url, "dupes")
    yield opened
    errors = opened.errors
    opened.close()
    assert not errors, f"JavaScript errors: {errors}"


def shoot(session: Session, path: str, name: str) -> None:
    """Full-page PNGs of ``path`` in Chinese at 1366 px and 390 px; the page is never wider than the window."""
    page = session.page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"/language/zh_CN?next={quote(path, safe='/?=&#')}")
    for size, suffix in ((LAPTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{suffix}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {size['width']}px window"


def in_view(page, selector: str) -> bool:
    """Every element matching ``selector`` lies within the window's width, not scrolled off to the right."""
    return page.evaluate(
        """sel => document.querySelectorAll(sel).length > 0 && [...document.querySelectorAll(sel)].every(el => {
             const box = el.getBoundingClientRect();
             return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;
           })""",
        selector,
    )


def test_duplicates_are_hinted_listed_and_merged_with_one_click(world, session):
    at = now()
    older = file_ticket(world, title=RENT, category=world.misc, at=at - timedelta(days=2))
    newer = file_ticket(world, title=RENT + "，请督促兑现", category=world.misc, enterprise=world.rival, at=at)
    advance(world, older, State.AWAITING_DISPATCH)
    advance(world, newer, State.AWAITING_DISPATCH)
    db.session.commit()
    older_id, newer_id, older_no = older.id, newer.id, older.tracking_no
    db.session.rollback()  # hold no transaction while the server writes

    session.log_in(world.supervisor.username, PASSWORD)
    shoot(session, "/console/?tab=dispatch_queue", "dispatch-queue")
    page = session.page
    assert page.locator(f"a[href='/console/tickets/{newer_id}#duplicates']").inner_text() == "可能重复 1"

    shoot(session, f"/console/tickets/{newer_id}", "intake")
    assert page.locator("#duplicates").is_visible()
    page.set_viewport_size(LAPTOP)
    with page.expect_navigation():
        page.locator("#duplicates button[type=submit]").first.click()  # the confirm() is accepted
    assert page.locator(".alert.success, .flash.success, [role=status]").first.inner_text()
    assert older_no in page.locator("#main").inner_text()
    shoot(session, f"/console/tickets/{newer_id}", "after-merge")
    db.session.expire_all()
    assert db.session.get(type(older), newer_id).state == State.MERGED
    assert db.session.get(type(older), newer_id).merged_into_id == older_id
    db.session.rollback()


def test_public_tables_keep_every_column_in_view_at_both_widths(world, session):
    for i in range(3):
        ticket = advance(
            world, file_ticket(world, title=f"职工子女入学难{i}", at=now() - timedelta(days=3)), State.CLOSED
        )
        publish(world, ticket)
    # A long unit name and a long category name in the measures tables, as in the demo's.
    file_ticket(world, category=world.hiring, title="招工难", at=now() - timedelta(days=3))
    db.session.commit()
    cells.refresh_all(now())
    db.session.commit()

    shoot(session, "/disclosure", "public-list")
    page = session.page
    for size in (PHONE, LAPTOP):
        page.set_viewport_size(size)
        assert in_view(page, "table.stack td[data-label]"), f"a public column is off-screen at {size['width']} px"

    for group in ("unit", "category"):
        shoot(session, f"/stats?group={group}", f"statistics-{group}")
        page.set_viewport_size(LAPTOP)
        assert in_view(page, "table.measures thead th:last-child"), f"the last column is cut off at 1366 px ({group})"
        spare = page.evaluate(
            "(w => w.clientWidth - w.scrollWidth)(document.querySelector('table.measures').parentElement)"
        )
        assert spare >= 0, f"the measures table scrolls at 1366 px ({group})"
