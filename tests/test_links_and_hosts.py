"""Absolute links come from PUBLIC_BASE_URL alone, and production answers only its own host names:
a forged Host header can neither put its address into a link nor into a cached feed."""

import xml.etree.ElementTree as ET

import pytest

from supervise.extensions import db
from supervise.models import State
from tests.factories import advance, file_ticket, publish
from tests.production import config_from_environment, production_like

pytestmark = pytest.mark.committed  # the production-like apps have engines of their own

SITE = "https://supervise.example.gov.cn"
ALIAS = "alias.example.gov.cn"  # a second name the site answers to
NS = {"a": "http://www.w3.org/2005/Atom"}


def _links(feed_body: bytes) -> list[str]:
    root = ET.fromstring(feed_body)
    return [root.findtext("a:id", namespaces=NS)] + [link.get("href") for link in root.iter(f"{{{NS['a']}}}link")]


def test_feed_links_come_from_the_public_base_url_whatever_the_host_header(app, world):
    publish(world, advance(world, file_ticket(world), State.DISPATCHED))
    db.session.commit()
    with production_like(app, PUBLIC_BASE_URL=SITE, TRUSTED_HOSTS=["supervise.example.gov.cn", ALIAS]) as site:
        client = site.test_client()
        first = client.get("/feeds/problems.atom", headers={"Host": ALIAS})  # the one the cache keeps
        again = client.get("/feeds/problems.atom", headers={"Host": "supervise.example.gov.cn"})
    links = _links(first.data)
    assert len(links) == 4  # the feed's id, self and alternate links, and the entry's link
    assert all(link.startswith(SITE + "/") for link in links), links
    assert again.data == first.data


def test_open311_discovery_and_the_filing_notice_link_to_the_public_base_url(app, world):
    with production_like(app, PUBLIC_BASE_URL=SITE, TRUSTED_HOSTS=None) as site:
        discovery = site.test_client().get("/open311/v2/discovery.json", headers={"Host": "evil.example.com"})
    assert discovery.json["endpoints"][0]["url"] == f"{SITE}/open311/v2/"


def test_production_refuses_a_request_for_an_unknown_host_with_400(app, world):
    with production_like(app, config="production", PUBLIC_BASE_URL=SITE) as site:
        assert site.config["TRUSTED_HOSTS"] == ["supervise.example.gov.cn"]
        client = site.test_client()
        refused = client.get("/rules", headers={"Host": "evil.example.com"})
        feed = client.get("/feeds/problems.atom", headers={"Host": "evil.example.com"})
        ours = client.get("/rules", headers={"Host": "supervise.example.gov.cn"})
    assert refused.status_code == 400
    assert "evil.example.com" not in refused.get_data(as_text=True)
    assert feed.status_code == 400
    assert ours.status_code == 200


def test_the_trusted_hosts_come_from_the_environment(app, world):
    with production_like(
        app, config="production", PUBLIC_BASE_URL=SITE, TRUSTED_HOSTS=["supervise.example.gov.cn", ALIAS]
    ) as site:
        assert site.test_client().get("/rules", headers={"Host": ALIAS}).status_code == 200
    read = config_from_environment({"TRUSTED_HOSTS": f"supervise.example.gov.cn, {ALIAS}"}, "TRUSTED_HOSTS")
    assert read == ["supervise.example.gov.cn", ALIAS]
