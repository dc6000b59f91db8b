"""The JSON API under /api/v1/: token authentication, the same ticket scope and state machine as the web,
JSON errors, keyset pagination, the OpenAPI document, and the page where staff manage their tokens."""

import re
from datetime import datetime, timedelta

import pytest
import schemathesis
from flask import g

from supervise import create_app
from supervise.api import actions, openapi
from supervise.domain import workflow
from supervise.domain.clock import frozen
from supervise.extensions import db, limiter
from supervise.models import ApiToken, Role, State, Ticket, TicketEvent, UnitKind
from tests.factories import advance, file_ticket, make_unit, make_user

MONDAY = datetime(2026, 3, 2, 9, 0)
SECRET = re.compile(r"t_[A-Za-z0-9_-]{30,}")


@pytest.fixture(autouse=True)
def _monday_morning():
    with frozen(MONDAY):
        yield


def token_for(user, name: str = "my system") -> str:
    token, secret = ApiToken.issue(user, name)
    db.session.add(token)
    db.session.commit()
    return secret


@pytest.fixture
def api(client):
    """``api(user_or_secret).get(path)`` etc.: requests with that user's bearer token."""

    class As:
        def __init__(self, who):
            self.headers = {"Authorization": f"Bearer {who if isinstance(who, str) else token_for(who)}"}

        def get(self, path, **kw):
            return client.get("/api/v1" + path, headers=self.headers, **kw)

        def post(self, path, json=None, **kw):
            return client.post("/api/v1" + path, headers=self.headers, json=json, **kw)

        def act(self, ticket, action, **data):
            return self.post(f"/tickets/{ticket.id}/actions/{action}", json=data)

    return As


def dispatched(world, **fields) -> Ticket:
    ticket = advance(world, file_ticket(world, **fields), State.DISPATCHED)
    db.session.commit()
    return ticket


def in_progress(world, **fields) -> Ticket:
    ticket = advance(world, dispatched(world, **fields), State.IN_PROGRESS)
    db.session.commit()
    return ticket


def reload(ticket: Ticket) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


# ---------------------------------------------------------------- authentication


def test_a_request_without_a_token_is_refused_with_401_and_a_bearer_challenge(client, world):
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/tickets", headers={"Authorization": "Basic abc"}).status_code == 401


def test_an_unknown_or_revoked_token_is_refused_with_401(client, world, api):
    assert api("t_not-a-real-token").get("/me").status_code == 401
    secret = token_for(world.handler)
    assert api(secret).get("/me").status_code == 200
    db.session.scalar(db.select(ApiToken)).revoked_at = MONDAY
    db.session.commit()
    response = api(secret).get("/me")
    assert response.status_code == 401
    assert "revoked" in response.json["error"]["message"]


def test_the_token_of_a_deactivated_user_is_refused(world, api):
    secret = token_for(world.handler)
    world.handler.active = False
    db.session.commit()
    assert api(secret).get("/me").status_code == 401


@pytest.mark.parametrize("who", ["enterprise_user", "cadre", "admin"])
def test_only_units_and_supervisors_may_use_the_api(world, api, who):
    response = api(getattr(world, who)).get("/tickets")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_me_is_the_tokens_user_and_the_token_records_its_last_use(world, api):
    response = api(world.handler).get("/me")
    assert response.status_code == 200
    assert response.json["username"] == "edu_handler"
    assert response.json["role"] == "handler"
    assert response.json["unit"] == {"id": world.edu.id, "name": world.edu.name}
    assert response.json["token"]["prefix"].startswith("t_")
    assert db.session.scalar(db.select(ApiToken)).last_used_at == MONDAY


def test_the_session_cookie_does_not_authenticate_the_api(client, world, login):
    login(world.supervisor)
    assert client.get("/api/v1/tickets").status_code == 401


# ---------------------------------------------------------------- scope


def test_a_unit_lists_only_the_tickets_it_leads_or_co_handles(world, api):
    edu_ticket = dispatched(world)  # schooling: edu leads, the street co-handles
    hr_ticket = dispatched(world, category=world.hiring)
    waiting = file_ticket(world, category=world.misc)
    db.session.commit()
    street_handler = make_user(Role.HANDLER, "street_handler", unit=world.street)
    db.session.commit()

    assert [t["id"] for t in api(world.handler).get("/tickets").json["items"]] == [edu_ticket.id]
    assert [t["id"] for t in api(world.hr_handler).get("/tickets").json["items"]] == [hr_ticket.id]
    assert [t["id"] for t in api(street_handler).get("/tickets").json["items"]] == [edu_ticket.id]
    everything = api(world.supervisor).get("/tickets").json["items"]
    assert {t["id"] for t in everything} == {edu_ticket.id, hr_ticket.id, waiting.id}


def test_a_unit_gets_403_on_another_units_ticket_and_404_on_none(world, api):
    ticket = dispatched(world)
    hr = api(world.hr_handler)
    assert hr.get(f"/tickets/{ticket.id}").status_code == 403
    assert hr.get(f"/tickets/{ticket.id}/events").status_code == 403
    assert hr.act(ticket, "sign").status_code == 403
    assert reload(ticket).state == State.DISPATCHED
    missing = hr.get("/tickets/999999")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"


def test_staff_see_the_enterprise_its_contact_and_the_actions_open_to_them(world, api):
    ticket = dispatched(world)
    body = api(world.handler).get(f"/tickets/{ticket.id}").json
    assert body["tracking_no"] == ticket.tracking_no
    assert body["state"] == "dispatched"
    assert body["enterprise"]["name"] == world.acme.name
    assert body["enterprise"]["credit_code"] == world.acme.credit_code
    assert body["contact"]["mobile"] == ticket.contact_mobile
    assert body["lead_unit"] == {"id": world.edu.id, "name": world.edu.name}
    assert body["co_units"] == [{"id": world.street.id, "name": world.street.name}]
    assert body["actions"] == workflow.available_actions(world.handler, ticket) == ["sign", "return", "answer_order"]
    assert body["version"] == ticket.version
    assert body["handle_due"].endswith("+08:00")
    supervisor_actions = api(world.supervisor).get(f"/tickets/{ticket.id}").json["actions"]
    assert "dispatch" in supervisor_actions and "sign" not in supervisor_actions


def test_units_and_supervisors_see_internal_events_on_the_timeline(world, api):
    ticket = in_progress(world)
    workflow.perform(ticket, "note", world.handler, note="内部进展：已联系学校", public=False)
    db.session.commit()
    events = api(world.handler).get(f"/tickets/{ticket.id}/events").json["items"]
    assert [e["action"] for e in events] == ["submit", "accept", "sign", "note"]
    internal = events[-1]
    assert internal["public"] is False and internal["note"] == "内部进展：已联系学校"
    assert internal["actor"]["name"] == world.handler.name
    assert internal["actor"]["unit"]["id"] == world.edu.id
    assert events[1]["data"]["unit_id"] == world.edu.id


# ---------------------------------------------------------------- acting through the state machine


def test_the_whole_handling_of_a_complaint_through_the_api(world, api):
    supervisor, handler = api(world.supervisor), api(world.handler)
    ticket = file_ticket(world)
    db.session.commit()

    response = supervisor.act(ticket, "accept", note="受理")
    assert response.status_code == 200, response.json
    assert response.json["state"] == "dispatched"
    assert response.json["lead_unit"]["id"] == world.edu.id

    assert handler.act(ticket, "sign").json["state"] == "in_progress"
    noted = handler.act(ticket, "note", note="已与学校沟通", public=True)
    assert noted.status_code == 200 and noted.json["state"] == "in_progress"
    replied = handler.act(ticket, "reply", outcome="resolved", text="已协调学位。")
    assert replied.json["state"] == "replied"
    assert replied.json["reply_outcome"] == "resolved"
    approved = supervisor.act(ticket, "approve_reply")
    assert approved.json["state"] == "awaiting_rating"

    ticket = reload(ticket)
    assert ticket.state == State.AWAITING_RATING
    assert [e.action for e in ticket.events] == ["submit", "accept", "sign", "note", "reply", "approve_reply"]
    note = ticket.events[3]
    assert note.public is True and note.actor_id == world.handler.id


def test_a_supervisor_dispatches_a_ticket_no_rule_fits_and_declines_another(world, api):
    supervisor = api(world.supervisor)
    queued = file_ticket(world, category=world.misc)
    other = file_ticket(world)
    db.session.commit()
    assert supervisor.act(queued, "accept").json["state"] == "awaiting_dispatch"
    response = supervisor.act(queued, "dispatch", unit_id=world.hr.id, limit_class="simple", handle_days=3)
    assert response.status_code == 200, response.json
    assert response.json["lead_unit"]["id"] == world.hr.id
    assert response.json["handle_days"] == 3

    declined = supervisor.act(other, "decline", reason="litigation", note="已进入诉讼")
    assert declined.json["state"] == "declined"
    assert declined.json["decline_reason"] == "litigation"
    assert reload(other).closed_at == MONDAY


def test_a_unit_returns_a_ticket_and_requests_an_extension(world, api):
    handler = api(world.handler)
    returned = dispatched(world)
    assert handler.act(returned, "return", reason="不属于本单位", basis="职责清单第3条").json["state"] == "returned"
    ticket = in_progress(world)
    response = handler.act(ticket, "request_extension", new_due="2026-04-30", reason="需要多部门会商")
    assert response.status_code == 200, response.json
    assert response.json["pending_extension"]["requested_due"] == "2026-04-30"


def test_a_refused_transition_is_409_with_the_message_and_changes_nothing(world, api):
    ticket = file_ticket(world)
    db.session.commit()
    response = api(world.supervisor).act(ticket, "approve_reply")
    assert response.status_code == 409
    assert response.json["error"] == {
        "code": "conflict",
        "message": "This ticket is no longer in a state where that can be done.",
    }
    ticket = reload(ticket)
    assert ticket.state == State.SUBMITTED
    assert [e.action for e in ticket.events] == ["submit"]


def test_missing_data_is_422_with_the_state_machines_message(world, api):
    ticket = in_progress(world)
    response = api(world.handler).act(ticket, "reply", outcome="resolved", text="   ")
    assert response.status_code == 422
    assert response.json["error"] == {"code": "refused", "message": "Write the reply to the enterprise."}
    assert reload(ticket).state == State.IN_PROGRESS


def test_an_action_of_another_party_is_403(world, api):
    ticket = dispatched(world)
    assert api(world.supervisor).act(ticket, "sign").status_code == 403
    response = api(world.handler).act(ticket, "dispatch", unit_id=world.hr.id)
    assert response.status_code == 403
    assert response.json["error"]["message"] == "You may not do that on this ticket."
    assert reload(ticket).state == State.DISPATCHED


def test_a_stale_version_is_409_and_the_current_one_goes_through(world, api):
    ticket = dispatched(world)
    old = ticket.version
    workflow.perform(ticket, "issue_order", world.supervisor, level="general", deadline="2026-03-20", note="尽快")
    db.session.commit()
    stale = api(world.handler).act(ticket, "sign", version=old)
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stale"
    assert reload(ticket).state == State.DISPATCHED
    current = api(world.handler).act(ticket, "sign", version=reload(ticket).version)
    assert current.status_code == 200
    assert current.json["version"] > old + 1


def test_unknown_actions_and_enterprise_actions_are_not_offered(world, api):
    ticket = dispatched(world)
    assert api(world.supervisor).act(ticket, "teleport").status_code == 404
    assert api(world.supervisor).act(ticket, "rate", rating=5, solved=True).status_code == 404
    assert "rate" not in actions.ACTION_BODIES and "provide_material" not in actions.ACTION_BODIES
    offered = {a for a, t in workflow.TRANSITIONS.items() if t.parties & {"unit", "co_unit", "supervisor"}}
    assert set(actions.ACTION_BODIES) == offered


def test_a_ticket_cannot_go_to_the_office_or_an_inactive_unit(world, api):
    ticket = file_ticket(world, category=world.misc)
    db.session.commit()
    supervisor = api(world.supervisor)
    assert supervisor.act(ticket, "accept").status_code == 200
    assert supervisor.act(ticket, "dispatch", unit_id=world.office.id).status_code == 422
    retired = make_unit("已撤销的局", UnitKind.DEPARTMENT)
    retired.active = False
    db.session.commit()
    assert supervisor.act(ticket, "dispatch", unit_id=retired.id).status_code == 422
    assert reload(ticket).state == State.AWAITING_DISPATCH


@pytest.mark.parametrize(
    "body, status, code",
    [
        ("not json", 400, "bad_request"),
        ("[1, 2]", 400, "bad_request"),
        ('{"note": "x", "colour": "red"}', 422, "invalid"),
        ('{"note": 5}', 422, "invalid"),
        ('{"note": "a\\u0000b"}', 422, "invalid"),
        ('{"note": "\\ud800"}', 422, "invalid"),
        ('{"note": "x", "public": "yes"}', 422, "invalid"),
        ('{"note": "x", "version": "one"}', 422, "invalid"),
        ('{"note": "' + "长" * 5001 + '"}', 422, "invalid"),
        ("[" * 100_000 + "]" * 100_000, 400, "bad_request"),
    ],
)
def test_a_body_of_the_wrong_shape_is_refused_before_the_state_machine(world, client, api, body, status, code):
    ticket = in_progress(world)
    response = client.post(
        f"/api/v1/tickets/{ticket.id}/actions/note",
        data=body,
        headers={**api(world.handler).headers, "Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert [e.action for e in reload(ticket).events][-1] == "sign"


def test_dates_are_checked_before_the_state_machine(world, api):
    ticket = in_progress(world)
    for bad in ("2026-02-30", "30/04/2026", "9999-01-04", "2026-04-30\n", "２０２６-04-30", 20260430):
        response = api(world.handler).act(ticket, "request_extension", new_due=bad, reason="会商")
        assert response.status_code == 422, bad
    assert reload(ticket).pending_extension is None


# ---------------------------------------------------------------- lists


def test_pagination_visits_every_ticket_exactly_once(world, api):
    ids = {file_ticket(world).id for _ in range(7)}
    db.session.commit()
    supervisor, seen, after, pages = api(world.supervisor), [], None, 0
    while True:
        page = supervisor.get("/tickets", query_string={"limit": 3, **({"after": after} if after else {})}).json
        seen += [t["id"] for t in page["items"]]
        pages += 1
        after = page["next"]
        if after is None:
            break
    assert pages == 3
    assert seen == sorted(ids, reverse=True)


def test_the_list_filters_by_state_unit_category_overdue_and_update_time(world, api):
    late = dispatched(world)
    hired = dispatched(world, category=world.hiring)
    fresh = file_ticket(world)
    db.session.commit()
    supervisor = api(world.supervisor)

    def ids(**query):
        response = supervisor.get("/tickets", query_string=query)
        assert response.status_code == 200, response.json
        return {t["id"] for t in response.json["items"]}

    assert ids(state="submitted") == {fresh.id}
    assert ids(unit_id=world.hr.id) == {hired.id}
    assert ids(category_id=world.hiring.id) == {hired.id}
    assert ids(category_id=world.public_services.id) == {late.id, hired.id, fresh.id}
    assert ids(overdue="true") == set()
    with frozen(MONDAY + timedelta(days=40)):
        assert ids(overdue="true") == {late.id, hired.id}
        assert ids(overdue="false") == {fresh.id}
        assert supervisor.get(f"/tickets/{late.id}").json["warning"] == "red"
        workflow.perform(late, "issue_order", world.supervisor, level="key", deadline="2026-04-20", note="督办")
        db.session.commit()
        assert ids(updated_since="2026-04-01T00:00:00+08:00") == {late.id}
        # The order was issued on 2026-04-11 at 09:00 in the zone: 01:00 UTC.
        assert ids(updated_since="2026-04-11T01:00:00Z") == {late.id}
        assert ids(updated_since="2026-04-11T01:00:01Z") == set()
        assert ids(updated_since="2026-04-11T09:00:01+08:00") == set()
    assert ids(updated_since="2026-03-02") == {late.id, hired.id, fresh.id}


@pytest.mark.parametrize(
    "query",
    [
        {"state": "lost"},
        {"limit": 0},
        {"limit": 101},
        {"after": "x"},
        {"unit_id": "-1"},
        {"overdue": "maybe"},
        {"updated_since": "yesterday"},
        {"unit_id": "99999999999999999999"},
    ],
)
def test_a_malformed_filter_is_400(world, api, query):
    response = api(world.supervisor).get("/tickets", query_string=query)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


def test_reference_data_lists_units_and_categories(world, api):
    units = {u["id"]: u for u in api(world.handler).get("/units").json["items"]}
    assert units[world.edu.id]["handles_tickets"] is True
    assert units[world.office.id]["handles_tickets"] is False
    categories = {c["id"]: c for c in api(world.handler).get("/categories").json["items"]}
    assert categories[world.schooling.id]["full_name"] == "公共服务 / 子女入学"
    assert categories[world.schooling.id]["parent_id"] == world.public_services.id


# ---------------------------------------------------------------- errors, documentation, limits


def test_unknown_api_urls_and_methods_answer_json_and_other_pages_stay_html(client, world):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/tickets")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]
    assert client.get("/api/v1/tickets/-3").json["error"]["code"] == "not_found"
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_the_openapi_document_is_valid_and_describes_what_the_api_answers(app, client, world, api):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.validate()  # against the OpenAPI 3.0 meta-schema
    doc = response.json
    assert doc["openapi"] == "3.0.3"
    assert {f"/tickets/{{id}}/actions/{a}" for a in actions.ACTION_BODIES} <= set(doc["paths"])

    ticket = in_progress(world)
    workflow.perform(ticket, "note", world.handler, note="进展")
    db.session.commit()
    body = api(world.supervisor).get(f"/tickets/{ticket.id}").json
    documented = doc["components"]["schemas"]
    assert set(body) == set(documented["Ticket"]["properties"]) == set(documented["Ticket"]["required"])
    event = api(world.supervisor).get(f"/tickets/{ticket.id}/events").json["items"][0]
    assert set(event) == set(documented["Event"]["properties"])
    me = api(world.supervisor).get("/me").json
    assert set(me) == set(documented["Me"]["properties"])
    assert openapi.document() == doc


def test_the_api_has_a_rate_limit_per_token(app, world):
    """On a separate app with limits on (the test app has them off): the third request in a minute is 429."""
    previous = limiter.enabled
    try:
        limited = create_app(
            "test", SQLALCHEMY_DATABASE_URI="sqlite://", RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute"
        )
        with limited.app_context():
            db.create_all()
            with limited.test_client() as other:
                one, two = ({"Authorization": f"Bearer t_{n}"} for n in ("one", "two"))
                assert [other.get("/api/v1/me", headers=one).status_code for _ in range(3)] == [401, 401, 429]
                refused = other.get("/api/v1/me", headers=one)
                assert refused.json["error"]["code"] == "too_many_requests"
                assert other.get("/api/v1/me", headers=two).status_code == 401
    finally:
        limiter.enabled = previous


# ---------------------------------------------------------------- managing tokens


def test_a_handler_creates_a_token_whose_secret_is_shown_once_and_works(client, world, login, api):
    login(world.handler)
    assert client.get("/auth/tokens").status_code == 200
    response = client.post("/auth/tokens/new", data={"name": "单位办公系统"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET.findall(response.get_data(as_text=True))
    assert len(secret) == 1
    token = db.session.scalar(db.select(ApiToken))
    assert token.user_id == world.handler.id and token.name == "单位办公系统"
    assert token.token_hash != secret[0] and secret[0] not in token.token_hash

    g.pop("_login_user", None)
    listing = client.get("/auth/tokens").get_data(as_text=True)
    assert "单位办公系统" in listing and token.prefix in listing
    assert secret[0] not in listing
    with client.session_transaction() as session:
        assert secret[0] not in str(dict(session))
    assert api(secret[0]).get("/me").json["id"] == world.handler.id


def test_a_token_needs_a_name_and_a_user_has_at_most_ten(client, world, login):
    login(world.supervisor)
    assert client.post("/auth/tokens/new", data={"name": "  "}).status_code == 400
    for n in range(10):
        token_for(world.supervisor, f"t{n}")
    g.pop("_login_user", None)
    response = client.post("/auth/tokens/new", data={"name": "one more"})
    assert response.status_code == 400
    assert "active tokens already" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 10


def test_revoking_a_token_locks_it_out(client, world, login, api):
    secret = token_for(world.leader)
    token = db.session.scalar(db.select(ApiToken))
    login(world.leader)
    response = client.post(f"/auth/tokens/{token.id}/revoke", follow_redirects=True)
    assert response.status_code == 200
    assert "is revoked" in response.get_data(as_text=True)
    assert reload_token(token).revoked_at == MONDAY
    assert api(secret).get("/me").status_code == 401


def reload_token(token: ApiToken) -> ApiToken:
    db.session.expire_all()
    return db.session.get(ApiToken, token.id)


def test_nobody_revokes_another_users_token(client, world, login):
    token_for(world.handler)
    token = db.session.scalar(db.select(ApiToken))
    login(world.hr_handler)
    assert client.post(f"/auth/tokens/{token.id}/revoke").status_code == 404
    assert reload_token(token).revoked_at is None


@pytest.mark.parametrize("who", ["enterprise_user", "cadre", "admin"])
def test_only_units_and_supervisors_have_a_token_page(client, world, login, who):
    login(getattr(world, who))
    assert client.get("/auth/tokens").status_code == 403
    assert client.post("/auth/tokens/new", data={"name": "x"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_for_tokens(client, world):
    response = client.get("/auth/tokens")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_events_in_the_api_are_those_on_the_ticket(world, api):
    ticket = dispatched(world)
    events = api(world.supervisor).get(f"/tickets/{ticket.id}/events").json["items"]
    assert [e["id"] for e in events] == [
        e.id
        for e in db.session.scalars(
            db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
    ]
