"""Co-handling units chosen at dispatch and re-dispatch, through the console, the API and the state
machine: never the office, never the lead unit itself."""

import re

import pytest

from supervise.domain import access, workflow
from supervise.extensions import db
from supervise.models import ApiToken, State
from tests.factories import advance, file_ticket


def _act(client, ticket, action, **fields):
    fields = {"limit_class": "standard", **fields} if action == "dispatch" else fields
    data = {f"{action}-{key}": value for key, value in fields.items()}
    data["version"] = ticket.version
    return client.post(f"/console/tickets/{ticket.id}/{action}", data=data, follow_redirects=True)


def _awaiting_dispatch(world):
    ticket = advance(world, file_ticket(world, category=world.misc), State.AWAITING_DISPATCH)
    db.session.commit()
    return ticket


def test_the_dispatch_panel_offers_co_units_ticked_as_the_category_says_and_never_the_office(world, login):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)  # schooling: the street co-handles
    workflow.perform(ticket, "return", world.handler, reason="不归我局", basis="职责清单")
    db.session.commit()
    page = login(world.supervisor).get(f"/console/tickets/{ticket.id}").get_data(as_text=True)
    boxes = re.findall(r'<input (checked )?id="dispatch-co_unit_ids-\d+"[^>]* value="(\d+)"', page)
    assert {int(value) for checked, value in boxes if checked} == {world.street.id}
    offered = {int(v) for v in re.findall(r'id="dispatch-co_unit_ids-\d+"[^>]* value="(\d+)"', page)}
    assert world.office.id not in offered and {world.edu.id, world.hr.id, world.street.id} <= offered


def test_a_supervisor_dispatches_with_co_units_and_the_lead_is_not_also_a_co_unit(world, login):
    ticket = _awaiting_dispatch(world)
    response = _act(
        login(world.supervisor),
        ticket,
        "dispatch",
        unit_id=world.hr.id,
        co_unit_ids=[world.street.id, world.edu.id, world.hr.id],
    )
    assert response.status_code == 200
    db.session.refresh(ticket)
    assert ticket.state == State.DISPATCHED and ticket.lead_unit == world.hr
    assert {u.name for u in ticket.co_units} == {world.street.name, world.edu.name}
    assert ticket.events[-1].data["co_units"] == [world.street.name, world.edu.name]
    # the co-unit sees the ticket and may add progress once it is in hand
    assert "co_unit" in access.parties(world.handler, ticket)


def test_re_dispatch_replaces_the_co_units_and_none_ticked_means_none(world, login):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    workflow.perform(ticket, "return", world.handler, reason="不归我局", basis="职责清单")
    db.session.commit()
    assert [u.name for u in ticket.co_units] == [world.street.name]
    _act(login(world.supervisor), ticket, "dispatch", unit_id=world.hr.id)
    db.session.refresh(ticket)
    assert ticket.lead_unit == world.hr and ticket.co_units == []


def test_the_office_is_refused_as_a_co_unit_by_the_state_machine(world):
    ticket = _awaiting_dispatch(world)
    with pytest.raises(workflow.Invalid) as refused:
        workflow.perform(ticket, "dispatch", world.supervisor, unit_id=world.hr.id, co_unit_ids=[world.office.id])
    assert "co_unit_ids" in refused.value.errors
    assert ticket.state == State.AWAITING_DISPATCH and ticket.lead_unit is None


def test_the_api_dispatches_with_co_units_and_without_them_keeps_the_category_s(world, client):
    token, secret = ApiToken.issue(world.supervisor, "dispatch system")
    db.session.add(token)
    ticket = _awaiting_dispatch(world)
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/tickets/{ticket.id}/actions/dispatch"
    response = client.post(url, json={"unit_id": world.hr.id, "co_unit_ids": [world.street.id]}, headers=headers)
    assert response.status_code == 200, response.json
    db.session.refresh(ticket)
    assert [u.name for u in ticket.co_units] == [world.street.name]
    response = client.post(url, json={"unit_id": world.hr.id, "co_unit_ids": [world.office.id]}, headers=headers)
    assert response.status_code == 422
