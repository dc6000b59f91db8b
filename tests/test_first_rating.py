"""Honest satisfaction: a dissatisfied first rating that led to a reopen stays in the first-round
satisfaction rate beside the final one; the public detail shows every rating round."""

from datetime import timedelta

import pytest

from supervise.domain import subscribers, workflow
from supervise.domain.measures import cells, reports
from supervise.domain.measures.periods import Period
from supervise.extensions import db
from supervise.models import Rating
from tests.factories import MONDAY, dispatched, handled, publish

MARCH = Period("month", 2026, 3)


@pytest.fixture(autouse=True)
def _subscribed():
    subscribers.connect_all()


def reopened_then_satisfied(world):
    ticket = dispatched(world, at=MONDAY)
    handled(world, ticket, world.handler, at=MONDAY, rating=2, solved=False)
    later = MONDAY + timedelta(hours=4)
    workflow.perform(ticket, "reopen", world.supervisor, note="重新协调。", at=later)
    workflow.perform(ticket, "reply", world.handler, outcome="resolved", text="已解决。", at=later + timedelta(hours=1))
    workflow.perform(ticket, "approve_reply", world.supervisor, at=later + timedelta(hours=2))
    workflow.perform(ticket, "rate", world.enterprise_user, rating=4, solved=True, at=later + timedelta(hours=3))
    db.session.flush()
    return ticket


def test_a_reopen_keeps_the_first_rating_and_the_final_one_separately(world):
    ticket = reopened_then_satisfied(world)
    assert ticket.first_rating == Rating.DISSATISFIED and ticket.rating == Rating.SATISFIED


def test_first_round_satisfaction_stands_beside_the_final_one(world):
    reopened_then_satisfied(world)
    cells.refresh_dirty(MONDAY + timedelta(days=1))
    db.session.commit()
    row = {r.name: r for r in reports.table(MARCH, "unit").rows}[world.edu.name]
    assert row.display("satisfaction") == "100.0%"
    assert row.display("first_satisfaction") == "0.0%"
    assert row.display("reopen") == "100.0%"


def test_the_statistics_page_defines_both_rates(client, world):
    reopened_then_satisfied(world)
    cells.refresh_all(MONDAY + timedelta(days=1))
    db.session.commit()
    html = client.get("/stats?period=2026-03").text
    assert 'id="def-first_satisfaction"' in html and 'id="def-satisfaction"' in html
    assert "First-round satisfaction rate" in html and "Final satisfaction rate" in html


def test_the_public_detail_shows_every_rating_round(client, world):
    ticket = reopened_then_satisfied(world)
    publish(world, ticket)
    db.session.commit()
    page = client.get(f"/disclosure/{ticket.tracking_no}").text
    assert "Round 1" in page and "Round 2" in page
    assert "Dissatisfied" in page and "reopened for re-handling" in page and "Satisfied" in page
