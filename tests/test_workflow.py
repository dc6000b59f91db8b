"""The ticket state machine, exercised directly (the HTTP paths live in the portals' tests)."""

from datetime import datetime

import pytest

from supervise.domain import workflow
from supervise.domain.clock import frozen
from supervise.extensions import db
from supervise.models import State
from tests.factories import advance, file_ticket


def test_accepting_a_routed_complaint_dispatches_it_to_the_rule_unit(world):
    ticket = file_ticket(world)
    workflow.perform(ticket, "accept", world.supervisor)
    assert ticket.state == State.DISPATCHED
    assert ticket.lead_unit == world.edu
    assert ticket.co_units == [world.street]


def test_accepting_a_complaint_no_rule_fits_puts_it_in_the_dispatch_queue(world):
    ticket = file_ticket(world, category=world.misc)
    workflow.perform(ticket, "accept", world.supervisor)
    assert ticket.state == State.AWAITING_DISPATCH
    assert ticket.lead_unit is None


def test_the_category_default_unit_applies_without_a_rule(world):
    ticket = file_ticket(world, category=world.hiring)
    workflow.perform(ticket, "accept", world.supervisor)
    assert ticket.lead_unit == world.hr and ticket.handle_days == 5


def test_an_enterprise_cannot_accept_its_own_complaint(world):
    ticket = file_ticket(world)
    with pytest.raises(workflow.TransitionError):
        workflow.perform(ticket, "accept", world.enterprise_user)
    assert ticket.state == State.SUBMITTED


def test_another_unit_cannot_sign_for_a_ticket(world):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    with pytest.raises(workflow.TransitionError):
        workflow.perform(ticket, "sign", world.hr_handler)


def test_a_return_requires_reason_and_basis(world):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    with pytest.raises(workflow.TransitionError):
        workflow.perform(ticket, "return", world.handler, reason="不归我们管")
    workflow.perform(ticket, "return", world.handler, reason="不归我们管", basis="三定方案第五条")
    assert ticket.state == State.RETURNED and ticket.return_count == 1


def test_the_handling_clock_starts_at_dispatch_not_at_signing(world):
    ticket = file_ticket(world, at=datetime(2026, 3, 2, 9))  # a Monday
    workflow.perform(ticket, "accept", world.supervisor, at=datetime(2026, 3, 2, 10))
    due = ticket.handle_due
    workflow.perform(ticket, "sign", world.handler, at=datetime(2026, 3, 4, 10))
    assert ticket.handle_due == due == datetime(2026, 3, 23, 23, 59, 59)  # 15 working days


def test_material_request_pauses_the_clock(world):
    ticket = advance(
        world, file_ticket(world, at=datetime(2026, 3, 2, 9)), State.DISPATCHED, at=datetime(2026, 3, 2, 10)
    )
    workflow.perform(ticket, "sign", world.handler, at=datetime(2026, 3, 2, 11))
    due = ticket.handle_due
    workflow.perform(ticket, "request_material", world.handler, note="请补充劳动合同", at=datetime(2026, 3, 3, 9))
    assert ticket.state == State.AWAITING_MATERIAL
    workflow.perform(ticket, "provide_material", world.enterprise_user, note="已上传", at=datetime(2026, 3, 6, 9))
    assert ticket.state == State.IN_PROGRESS
    assert (ticket.handle_due - due).days == 3  # Tue -> Fri: three working days paused


def test_bad_rating_goes_to_review_and_reopen_counts(world):
    ticket = advance(world, file_ticket(world), State.AWAITING_RATING)
    workflow.perform(ticket, "rate", world.enterprise_user, rating=1, solved=False, comment="没解决")
    assert ticket.state == State.RATING_REVIEW
    workflow.perform(ticket, "reopen", world.supervisor, note="请重新办理")
    assert ticket.state == State.IN_PROGRESS and ticket.reopen_count == 1 and ticket.rating is None


def test_stale_version_is_refused(world):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    db.session.commit()
    with pytest.raises(workflow.StaleTicket):
        workflow.perform(ticket, "sign", world.handler, expected_version=ticket.version - 1)


def test_every_action_writes_one_event(world):
    with frozen(datetime(2026, 5, 6, 10)):
        ticket = advance(world, file_ticket(world), State.CLOSED)
    assert [e.action for e in ticket.events] == ["submit", "accept", "sign", "reply", "approve_reply", "rate"]
