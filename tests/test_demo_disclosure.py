"""With the demo zone loaded, nothing public names an enterprise or a person (issue: shown by)."""

import re

import pytest
from sqlalchemy import select

from supervise import seed
from supervise.extensions import db
from supervise.models import Enterprise, Ticket, User
from tests.factories import readable

LINK = re.compile(r'href="(/[^"#]*)"')
PRIVATE = ("/auth", "/my", "/unit", "/console", "/admin", "/ops", "/notifications", "/files", "/language")


@pytest.fixture
def demo(app):
    seed.load_reference()
    seed.load_demo(tickets=120)
    db.session.commit()


def _secrets() -> dict[str, str]:
    found = {}
    for e in db.session.scalars(select(Enterprise)):
        found[f"name of {e.credit_code}"] = e.name
        found[f"credit code of {e.name}"] = e.credit_code
        found[f"mobile of {e.name}"] = e.contact_mobile
        if e.email:
            found[f"e-mail of {e.name}"] = e.email
    for t in db.session.scalars(select(Ticket)):
        if t.contact_mobile:
            found[f"contact mobile on {t.tracking_no}"] = t.contact_mobile
    for u in db.session.scalars(select(User).where(User.enterprise_id.is_not(None))):
        found[f"enterprise user {u.username}"] = u.name
    return found


def test_no_public_page_feed_or_api_of_the_demo_names_an_enterprise_or_a_person(client, demo):
    published = list(db.session.scalars(select(Ticket).where(Ticket.published_at.is_not(None))))
    assert len(published) > 50
    seeds = [
        "/",
        # the registers published beside the complaints (监督公开), their downloads followed from there
        "/accountability",
        "/projects",
        "/campaigns",
        "/quarters",
        "/rectification",
        "/evaluations",
        "/cadres",
        "/disclosure",
        "/stats",
        "/rules",
        "/feeds/problems.atom",
        "/feeds/results.atom",
        "/open311/v2/services.json",
    ]
    seeds += [f"/disclosure/{t.tracking_no}" for t in published]
    seeds += [f"/open311/v2/requests/{t.tracking_no}.json" for t in published[:40]]
    pages, queue = {}, list(seeds)
    while queue and len(pages) < 600:
        url = queue.pop(0)
        if url in pages or url.startswith(PRIVATE):
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = readable(response)
        if response.mimetype == "text/html":
            queue += [u.replace("&amp;", "&") for u in LINK.findall(pages[url])]
    assert len(pages) > 100  # the pages, the feeds and the API were really read
    secrets = _secrets()
    for url, text in pages.items():
        for what, secret in secrets.items():
            assert secret not in text, f"{what} ({secret}) on {url}"
