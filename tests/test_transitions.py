"""The state machine's declarations: every transition × state × party, each declaration complete, the
forms and API bodies made from it, and the rules it now holds (a ticket never goes to the office)."""

import dataclasses
from datetime import date

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from sqlalchemy import select

from supervise.action_forms import ActionForm, action_form
from supervise.api import actions as api_actions
from supervise.console.forms import ACTION_FORMS
from supervise.domain import access, notify, routing, workflow
from supervise.domain.workflow.engine import AUDIENCES, PARTIES
from supervise.domain.workflow.fields import KINDS, Param
from supervise.enterprise.forms import MaterialForm, MergedRateForm, RateForm
from supervise.extensions import db
from supervise.models import Category, Role, State, Unit
from supervise.unit.forms import FORMS as UNIT_FORMS
from tests.factories import advance, file_ticket, make_user


class Reached(Exception):
    """The engine let the action through to its effect."""


def _reach(ctx):
    raise Reached


@pytest.fixture
def actors(world):
    """One actor per party on a ticket dispatched to the education bureau (street co-handling), and
    one with no part on it."""
    street_handler = make_user(Role.HANDLER, "street_handler", unit=world.street)
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    found = {
        "supervisor": world.supervisor,
        "unit": world.handler,
        "co_unit": street_handler,
        "enterprise": world.enterprise_user,
        "system": None,
        "nobody": world.rival_user,
    }
    for party, user in found.items():
        assert access.parties(user, ticket) == (frozenset() if party == "nobody" else {party})
    return ticket, found


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_each_action_is_allowed_exactly_where_declared_and_refused_with_its_reason_elsewhere(
    action, actors, monkeypatch
):
    ticket, found = actors
    spec = workflow.TRANSITIONS[action]
    monkeypatch.setitem(workflow.TRANSITIONS, action, dataclasses.replace(spec, effect=_reach))
    for state in State:
        ticket.state = state
        for party, actor in found.items():
            if state not in spec.sources:
                expected = workflow.WrongState
            elif party not in spec.parties:
                expected = workflow.NotAllowed
            else:
                expected = Reached
            with pytest.raises(expected):
                workflow.perform(ticket, action, actor)
            assert workflow.allowed(actor, ticket, action) == (expected is Reached), (action, state, party)


def test_an_outdated_version_is_stale_and_an_unknown_action_not_allowed(world):
    ticket = file_ticket(world)
    with pytest.raises(workflow.Stale):
        workflow.perform(ticket, "accept", world.supervisor, expected_version=ticket.version + 1)
    with pytest.raises(workflow.NotAllowed):
        workflow.perform(ticket, "teleport", world.supervisor)
    assert issubclass(workflow.StaleTicket, workflow.TransitionError)


def _translated(text) -> bool:
    english = str(text)
    with force_locale("zh"):
        return str(text) != english


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_every_transition_declares_fields_audience_search_and_visibility(app, action):
    spec = workflow.TRANSITIONS[action]
    assert spec.sources and spec.parties <= PARTIES
    assert isinstance(spec.fields, tuple) and all(isinstance(p, Param) for p in spec.fields)
    assert isinstance(spec.audience, tuple) and set(spec.audience) <= AUDIENCES
    assert isinstance(spec.refresh_search, bool) and isinstance(spec.enterprise_sees, bool)
    with app.test_request_context():
        assert _translated(spec.label), action
        names = [p.name for p in spec.fields]
        assert len(names) == len(set(names))
        for p in spec.fields:
            assert p.kind in KINDS and p.label is not None and _translated(p.label), (action, p.name)
            if p.required:
                assert _translated(p.message), (action, p.name)
            if p.kind == "choice" and not callable(p.choices):  # a callable reads the database
                assert p.options()
        if action in api_actions.ACTION_BODIES:  # the API's body: the declared fields and the version
            assert set(api_actions.ACTION_BODIES[action]().fields) == {*names, "version"}, action


def test_each_portal_offers_a_form_for_exactly_its_parties_actions(app):
    def of(*parties):
        return {a for a, t in workflow.TRANSITIONS.items() if t.parties & set(parties)}

    assert set(ACTION_FORMS) == of("supervisor")
    assert set(UNIT_FORMS) == of("unit", "co_unit")
    assert {MaterialForm.action, RateForm.action, MergedRateForm.action} == of("enterprise")
    assert set(api_actions.ACTION_BODIES) == of("supervisor", "unit", "co_unit")
    for form in [*ACTION_FORMS.values(), *UNIT_FORMS.values(), MaterialForm, RateForm, MergedRateForm]:
        assert issubclass(form, ActionForm)


def test_a_form_made_from_a_declaration_gives_the_data_under_the_declared_keys(app):
    with app.test_request_context(method="POST", data={"extension_reason": "现场核查", "new_due": "2026-05-06"}):
        form = UNIT_FORMS["request_extension"](meta={"csrf": False})
        assert form.validate()
        assert form.payload() == {"new_due": date(2026, 5, 6), "reason": "现场核查"}
    with app.test_request_context(method="POST", data={"rating": "2", "solved": "no", "comment": ""}):
        form = RateForm(meta={"csrf": False})
        assert form.validate()
        assert form.payload() == {"rating": 2, "solved": False, "comment": ""}
    with app.test_request_context(method="POST", data={}):
        form = action_form("return", check_required=True)(meta={"csrf": False})
        assert not form.validate() and set(form.errors) == {"reason", "basis"}
        assert action_form("return", check_required=False)(meta={"csrf": False}).validate()
    assert issubclass(ACTION_FORMS["accept"], FlaskForm)  # CSRF as on every form (off in the tests' config)


def test_notifications_and_search_read_the_declarations(world):
    assert notify.audience_of("dispatch") == ("unit", "enterprise", "filer")
    assert notify.audience_of("submit") == ("supervisors", "filer")
    assert notify.audience_of("alert_red") == ("unit", "supervisors")
    assert notify.audience_of("publish") == ()
    assert {a for a, t in workflow.TRANSITIONS.items() if t.refresh_search} == {
        "publish",
        "publish_result",
        "unpublish",
        "add_redaction_term",
        "accept",
        "dispatch",
    }


# ---------------------------------------------------------------- a ticket never goes to the office


def test_the_machine_refuses_to_dispatch_or_accept_to_the_office(world):
    ticket = file_ticket(world, category=world.misc)
    with pytest.raises(workflow.Invalid) as caught:
        workflow.perform(ticket, "accept", world.supervisor, unit_id=world.office.id)
    assert set(caught.value.errors) == {"unit_id"}
    workflow.perform(ticket, "accept", world.supervisor)
    assert ticket.state == State.AWAITING_DISPATCH
    with pytest.raises(workflow.Invalid):
        workflow.perform(ticket, "dispatch", world.supervisor, unit_id=world.office.id)
    assert ticket.state == State.AWAITING_DISPATCH and ticket.lead_unit is None
    workflow.perform(ticket, "dispatch", world.supervisor, unit_id=world.hr.id)
    assert ticket.lead_unit == world.hr


def test_routing_never_picks_the_office(world):
    world.misc.default_lead_unit = world.office
    routing.add_rule(world.hiring, world.office, None, None)
    db.session.flush()
    assert routing.resolve_lead_unit(world.misc, world.area.id) is None
    assert routing.resolve_lead_unit(world.hiring, world.area.id) == world.hr  # past the office, the default
    ticket = file_ticket(world, category=world.misc)
    workflow.perform(ticket, "accept", world.supervisor)
    assert ticket.state == State.AWAITING_DISPATCH


def test_the_category_form_does_not_offer_the_office_as_lead(world, login):
    client = login(world.admin)
    page = client.get("/admin/categories/new").get_data(as_text=True)
    lead_select = page.split('name="default_lead_unit_id"')[1].split("</select>")[0]
    assert world.hr.name in lead_select and world.office.name not in lead_select
    data = {
        "name": "营商投诉",
        "parent_id": world.public_services.id,
        "default_lead_unit_id": world.office.id,
        "limit_class": "standard",
        "intake_questions": "",
        "description": "",
        "active": "y",
        "sort": 0,
    }
    assert client.post("/admin/categories/new", data=data).status_code == 200
    assert db.session.scalar(select(Category).where(Category.name == "营商投诉")) is None
    rules_page = client.get("/admin/rules/new").get_data(as_text=True)
    lead_select = rules_page.split('name="lead_unit_id"')[1].split("</select>")[0]
    assert world.office.name not in lead_select
    assert db.session.get(Unit, world.office.id).handles_tickets is False


def test_the_office_is_never_a_co_handling_unit(world):
    world.hiring.co_units.append(world.office)
    db.session.flush()
    ticket = file_ticket(world, category=world.hiring)
    workflow.perform(ticket, "accept", world.supervisor, unit_id=world.hr.id)
    assert world.office not in ticket.co_units
