"""Cross-zone forwarding between two real instances of the platform: this test's app (zone A, on the
tests' database) and a peer (zone B) on its own SQLite database, served over HTTP on its own port by a
real server. The peer is down when the ticket is forwarded, and comes back: nothing is lost."""

import dataclasses
import threading
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from supervise import create_app
from supervise.domain import workflow
from supervise.domain.clock import now
from supervise.domain.measures import cells
from supervise.extensions import db
from supervise.jobs import forwarding as jobs
from supervise.models import NO_UNIT, Forwarding, Peer, State, StatsCell, Ticket, TicketEvent
from supervise.open311 import keys
from tests import factories
from tests.conftest import free_port


class Zone:
    """Another instance of the platform, served by a real HTTP server in a thread; stop and start it."""

    def __init__(self, tmp_path):
        self.app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'zone-b.sqlite3'}")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/open311/v2"
        self.server = None
        with self.app.app_context():
            upgrade()
            self.world = factories.built_world()
            self.key_for_a = keys.issue("zone A")[1]
            self.schooling_code = str(self.world.schooling.id)
            db.session.commit()

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def zone_b(tmp_path):
    zone = Zone(tmp_path)
    yield zone
    zone.stop()


def _peer(world, zone: "Zone") -> Peer:
    peer = Peer(
        name="十堰平台",
        zone="十堰市",
        base_url=zone.base,
        api_key=zone.key_for_a,
        service_codes={str(world.schooling.id): zone.schooling_code},
    )
    db.session.add(peer)
    db.session.commit()
    return peer


def _awaiting_dispatch(world, publish_consent: bool = True) -> Ticket:
    ticket = factories.file_ticket(world, category=world.misc)  # no routing rule: waits for dispatch
    ticket.publish_consent = publish_consent
    workflow.perform(ticket, "accept", world.supervisor)
    ticket.category = world.schooling  # the misfiled complaint turns out to be schooling, in the other zone
    db.session.commit()
    assert ticket.state == State.AWAITING_DISPATCH
    return ticket


def test_a_forward_waits_for_a_peer_that_is_down_then_comes_back_with_its_status(world, zone_b):
    peer = _peer(world, zone_b)
    ticket = _awaiting_dispatch(world, publish_consent=False)
    workflow.perform(ticket, "forward", world.supervisor, peer_id=str(peer.id), note="企业在十堰市")
    db.session.commit()
    assert ticket.state == State.FORWARDED and ticket.closed_at is not None and ticket.lead_unit is None
    cells.refresh_dirty(now())
    counted = db.session.scalars(select(StatsCell).where(StatsCell.category_id == world.schooling.id)).all()
    assert [(c.unit_id, c.forwarded) for c in counted] == [(NO_UNIT, 1)]  # no local unit's figure
    forwarding = ticket.forwarding

    # The peer is down: the attempt fails, is kept, and waits for its retry.
    assert jobs.deliver_forward(forwarding.id) == "failed"
    assert forwarding.attempts == 1 and forwarding.next_attempt_at > now() and forwarding.remote_id is None
    assert jobs.relay_forwards() == 0  # not due yet

    zone_b.start()
    forwarding.next_attempt_at = now() - timedelta(seconds=1)  # the backoff has run out
    db.session.commit()
    assert jobs.relay_forwards() == 1  # handed over (run at once in the tests' eager mode)
    db.session.refresh(forwarding)
    assert forwarding.status == "sent" and forwarding.remote_id
    assert jobs.deliver_forward(forwarding.id) == "sent"  # a repeated job posts nothing

    credit_code = world.acme.credit_code  # read here: inside zone B's context a lazy load would read its rows
    with zone_b.app.app_context():
        remote = db.session.scalar(select(Ticket).where(Ticket.tracking_no == forwarding.remote_id))
        assert remote.description.startswith("我公司职工子女")
        assert remote.contact_name == ""  # the contact's name does not cross; the company does
        assert remote.enterprise.credit_code == credit_code
        assert remote.publish_consent is False  # the company's refusal to publish crosses with it
        b = zone_b.world
        workflow.perform(remote, "accept", db.session.merge(b.supervisor))  # routed to its education bureau
        db.session.commit()

    # The peer's status comes back onto the local timeline, once.
    assert jobs.fetch_forwarded() == 1
    assert jobs.fetch_forwarded() == 0
    updates = db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == "forward_update")
    ).all()
    assert [u.data["status"] for u in updates] == ["assigned"] and updates[0].public
    actions = [e.action for e in ticket.events]
    assert actions[-3:] == ["forward", "forward_received", "forward_update"]


def test_a_ticket_filed_with_a_peers_key_shows_its_origin(world, client, login):
    key, secret = keys.issue("zone B")
    peer = Peer(name="十堰平台", zone="十堰市", base_url="http://127.0.0.1:9/", api_key="k", inbound_key_id=None)
    db.session.add(peer)
    db.session.flush()
    peer.inbound_key_id = key.id
    db.session.commit()
    response = client.post("/open311/v2/requests.json", data=factories.filing(world, secret))
    assert response.status_code == 201, response.get_data(as_text=True)
    ticket = db.session.scalar(select(Ticket).where(Ticket.tracking_no == response.json[0]["service_request_id"]))
    assert ticket.origin_peer == peer
    page = login(world.supervisor).get(f"/console/tickets/{ticket.id}")
    assert "Forwarded here by 十堰平台 (十堰市)." in page.get_data(as_text=True)


def test_forward_is_refused_without_a_mapped_service(world, zone_b):
    peer = _peer(world, zone_b)
    peer.service_codes = {}
    ticket = _awaiting_dispatch(world)
    with pytest.raises(workflow.Invalid):
        workflow.perform(ticket, "forward", world.supervisor, peer_id=str(peer.id), note="企业在十堰市")
    assert ticket.state == State.AWAITING_DISPATCH and db.session.scalars(select(Forwarding)).all() == []


def test_the_console_offers_the_forward_form_and_the_admin_keeps_the_key_hidden(world, zone_b, login):
    peer = _peer(world, zone_b)
    ticket = _awaiting_dispatch(world)
    client = login(world.supervisor)
    page = client.get(f"/console/tickets/{ticket.id}").get_data(as_text=True)
    assert 'id="act-forward"' in page and "十堰平台 (十堰市)" in page
    answer = client.post(
        f"/console/tickets/{ticket.id}/forward",
        data={"forward-peer_id": str(peer.id), "forward-note": "企业在十堰市", "version": ticket.version},
    )
    assert answer.status_code == 302
    db.session.refresh(ticket)
    assert ticket.state == State.FORWARDED and ticket.forwarding.status == "pending"  # the relay delivers it

    admin = login(world.admin)
    listing = admin.get("/admin/peers").get_data(as_text=True)
    assert "十堰平台" in listing and zone_b.key_for_a not in listing
    form = admin.get(f"/admin/peers/{peer.id}").get_data(as_text=True)
    assert zone_b.key_for_a not in form
    saved = admin.post(
        f"/admin/peers/{peer.id}",
        data={
            "name": "十堰平台",
            "zone": "十堰市",
            "base_url": zone_b.base,
            "api_key": "",
            "inbound_key_id": "0",
            "service_codes": f"{world.schooling.id} = 7\n",
            "active": "y",
        },
    )
    assert saved.status_code == 302
    db.session.refresh(peer)
    assert peer.api_key == zone_b.key_for_a and peer.service_codes == {str(world.schooling.id): "7"}


class Served:
    """An app served over HTTP by a real server in a thread."""

    def __init__(self, app):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/open311/v2"
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.committed  # zone A is served to zone B by another thread: it reads what the test commits
def test_the_other_zone_forwards_back_and_follows_the_answer(app, world, zone_b):
    """Zone B forwards a ticket to zone A (this app, served over HTTP); zone A sees where it came from,
    handles it, and zone B follows its status."""
    zone_a = Served(app)
    try:
        key_for_b, secret_for_b = keys.issue("zone B")
        db.session.flush()
        peer_b = Peer(name="十堰平台", zone="十堰市", base_url=zone_b.base, api_key="k", inbound_key_id=key_for_b.id)
        db.session.add(peer_b)
        db.session.commit()
        schooling_a = str(world.schooling.id)  # read here: inside zone B's context a load would read its rows
        with zone_b.app.app_context():
            b = dataclasses.replace(
                zone_b.world,
                **{f.name: db.session.merge(getattr(zone_b.world, f.name)) for f in dataclasses.fields(zone_b.world)},
            )
            peer_a = Peer(
                name="襄阳平台",
                zone="襄阳市",
                base_url=zone_a.base,
                api_key=secret_for_b,
                service_codes={str(b.schooling.id): schooling_a},
            )
            db.session.add(peer_a)
            db.session.commit()
            ticket_b = _awaiting_dispatch(b)
            workflow.perform(ticket_b, "forward", b.supervisor, peer_id=str(peer_a.id), note="在襄阳")
            db.session.commit()
            assert jobs.deliver_forward(ticket_b.forwarding.id) == "sent"
            remote_id = ticket_b.forwarding.remote_id

        arrived = db.session.scalar(select(Ticket).where(Ticket.tracking_no == remote_id))
        assert (
            arrived.origin_peer == peer_b
            and arrived.description == "我公司职工子女今年秋季入学没有学位，联系电话＊＊＊。"  # masked as in public
        )
        workflow.perform(arrived, "accept", world.supervisor)
        db.session.commit()

        with zone_b.app.app_context():
            assert jobs.fetch_forwarded() == 1
            forwarding = db.session.scalar(select(Forwarding))
            assert forwarding.remote_status == "assigned"
    finally:
        zone_a.stop()
