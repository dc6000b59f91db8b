"""Open311 GeoReport v2 under /open311/v2/: discovery, services and their definitions, requests (read
and file), tokens; JSON and XML; errors in the spec's format; public fields only."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from supervise.domain import workflow
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import ApiKey, Category, Enterprise, OutboxMessage, Source, State, Ticket
from supervise.open311 import keys
from supervise.open311.resources import STATUS_EXTENDED, UNPUBLISHED_FIELDS
from tests.factories import API, advance, file_ticket, filing, parse, post, publish, valid_credit_code

FORMATS = ("json", "xml")


@pytest.fixture
def api_key(world) -> str:
    _key, secret = keys.issue("city hotline")
    db.session.commit()
    return secret


def errors(response) -> list[dict]:
    body = parse(response)
    assert isinstance(body, list) and body
    return [{"code": int(e["code"]), "description": e["description"]} for e in body]


# ---------------------------------------------------------------- discovery and services


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_specification_and_both_formats(client, world, fmt):
    response = client.get(f"{API}/discovery.{fmt}")

    assert response.status_code == 200
    body = parse(response)
    assert set(body) >= {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_concrete_categories_grouped_by_area(client, world, fmt):
    retired = Category(name="已停用类别", parent=world.public_services, active=False)
    db.session.add(retired)
    db.session.commit()

    response = client.get(f"{API}/services.{fmt}")

    assert response.status_code == 200
    services = parse(response)
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {str(c.id) for c in (world.schooling, world.hiring, world.misc)}
    schooling = by_code[str(world.schooling.id)]
    assert schooling["service_name"] == "子女入学"
    assert schooling["group"] == "公共服务"
    assert schooling["type"] == "realtime"
    assert schooling["metadata"] in (True, "true")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_asks_for_the_company_and_the_intake_questions(client, world, fmt):
    response = client.get(f"{API}/services/{world.schooling.id}.{fmt}")

    assert response.status_code == 200
    definition = parse(response)
    assert definition["service_code"] == str(world.schooling.id)
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert set(attributes) == {"credit_code", "company_name", "area", "client_request_id", "q1", "q2"}
    required = {code for code, a in attributes.items() if a["required"] in (True, "true")}
    assert required == {"credit_code", "company_name"}
    assert attributes["q1"]["description"] == "孩子年龄"
    assert attributes["q2"]["description"] == "希望就读的学校"
    assert attributes["area"]["datatype"] == "singlevaluelist"
    assert {v["name"] for v in attributes["area"]["values"]} == {"东津街道", "团山镇"}
    orders = [int(a["order"]) for a in definition["attributes"]]
    assert orders == sorted(set(orders))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_is_a_404_in_the_errors_format(client, world, fmt):
    for path in (f"/services/99999.{fmt}", f"/services/{world.public_services.id}.{fmt}", f"/services/abc.{fmt}"):
        response = client.get(API + path)
        assert response.status_code == 404
        assert errors(response)[0]["code"] == 404
        assert response.content_type.startswith("application/json" if fmt == "json" else "text/xml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_or_token_is_a_404(client, world, fmt):
    for path in (f"/requests/26110000000.{fmt}", f"/tokens/nothing.{fmt}"):
        response = client.get(API + path)
        assert response.status_code == 404
        (error,) = errors(response)
        assert error["code"] == 404 and error["description"]


def test_a_bad_format_is_a_400_in_xml(client, world):
    for path in ("/services.csv", "/requests.html", f"/services/{world.schooling.id}.yaml", "/discovery.txt"):
        response = client.get(API + path)
        assert response.status_code == 400, path
        assert response.content_type.startswith("text/xml")
        assert errors(response)[0]["code"] == 400


def test_an_unknown_resource_is_a_404_in_the_errors_format(client, world):
    response = client.get(f"{API}/nothing/here.json")
    assert response.status_code == 404
    assert errors(response)[0]["code"] == 404


def test_our_jurisdiction_is_accepted_and_another_is_not_found(client, world):
    assert client.get(f"{API}/services.json?jurisdiction_id=127.0.0.1").status_code == 200
    response = client.get(f"{API}/services.json?jurisdiction_id=sfgov.org")
    assert response.status_code == 404
    assert "sfgov.org" in errors(response)[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_filing_without_a_valid_api_key_is_refused_with_403(client, world, api_key, fmt):
    for secret in (None, "", "k_not-a-key"):
        response = post(client, fmt, **filing(world, api_key, api_key=secret))
        assert response.status_code == 403
        assert errors(response)[0]["code"] == 403
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_revoked_key_cannot_file(client, world, api_key):
    key = db.session.scalar(select(ApiKey))
    keys.revoke(key)
    db.session.commit()
    assert post(client, **filing(world, api_key)).status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_filing_needs_a_description(client, world, api_key, fmt):
    for description in (None, "   "):
        response = post(client, fmt, **filing(world, api_key, description=description))
        assert response.status_code == 400
        assert "description" in errors(response)[0]["description"]
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize("code", ["91420600MA4XXXXXX1", "123", None])
def test_filing_needs_a_valid_credit_code(client, world, api_key, code):
    response = post(client, **filing(world, api_key, **{"attribute[credit_code]": code}))

    assert response.status_code == 400
    assert "credit_code" in errors(response)[0]["description"]
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_filing_for_an_unknown_or_missing_service_code_is_refused(client, world, api_key):
    assert post(client, **filing(world, api_key, service_code="99999")).status_code == 404
    assert post(client, **filing(world, api_key, service_code=None)).status_code == 400
    assert post(client, **filing(world, api_key, **{"attribute[area]": "99999"})).status_code == 400
    assert post(client, **filing(world, api_key, phone="12345")).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


# ---------------------------------------------------------------- filing


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_files_a_complaint_for_the_company_with_that_credit_code(client, world, api_key, fmt):
    response = post(client, fmt, **filing(world, api_key, lat="32.0", long="112.1", media_url="http://x.test/a.jpg"))

    assert response.status_code == 201
    (created,) = parse(response)
    ticket = db.session.scalar(select(Ticket))
    assert created["service_request_id"] == ticket.tracking_no
    assert ticket.tracking_no in created["service_notice"]
    assert created["account_id"] is None
    assert ticket.source == Source.API
    assert ticket.enterprise_id == world.acme.id
    assert ticket.filed_by_id is None
    assert ticket.category_id == world.schooling.id
    assert ticket.area_id == world.area.id
    assert ticket.title == "我公司职工子女今年秋季入学没有学位，希望协调解决。"[:60]
    assert ticket.answers == {"孩子年龄": "6岁"}
    assert (ticket.contact_name, ticket.contact_mobile, ticket.contact_email) == (
        "王建国",
        "13912345678",
        "wang@corp.example",
    )
    assert ticket.publish_consent is True
    assert ticket.state == State.SUBMITTED
    assert db.session.get(ApiKey, db.session.scalar(select(ApiKey.id))).last_used_at is not None


def test_clients_file_without_a_csrf_token(app, client, world, api_key):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert post(client, **filing(world, api_key)).status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_post_acknowledges_the_contact_by_email_and_sms(client, world, api_key):
    post(client, **filing(world, api_key))

    ticket = db.session.scalar(select(Ticket))
    acknowledgements = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id.is_(None), OutboxMessage.ticket_id == ticket.id)
    ).all()
    assert {(m.channel, m.address) for m in acknowledgements} == {
        ("email", "wang@corp.example"),
        ("sms", "13912345678"),
    }
    assert all(ticket.tracking_no in m.body for m in acknowledgements)


def test_a_post_for_an_unknown_company_registers_it(client, world, api_key):
    code = valid_credit_code()
    response = post(
        client,
        **filing(
            world,
            api_key,
            **{"attribute[credit_code]": code.lower(), "attribute[company_name]": "襄阳市新来科技有限公司"},
        ),
    )

    assert response.status_code == 201
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    assert enterprise.name == "襄阳市新来科技有限公司"
    assert enterprise.industry == ""
    assert (enterprise.contact_name, enterprise.contact_mobile) == ("王建国", "13912345678")
    assert db.session.scalar(select(Ticket)).enterprise_id == enterprise.id


def test_the_same_client_request_id_twice_files_one_complaint(client, world, api_key):
    fields = filing(world, api_key, **{"attribute[client_request_id]": "hotline-2026-0001"})

    first = post(client, **fields)
    again = post(client, **fields)

    assert (first.status_code, again.status_code) == (201, 200)
    assert parse(first)[0]["service_request_id"] == parse(again)[0]["service_request_id"]
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1
    other = post(client, **filing(world, api_key, **{"attribute[client_request_id]": "hotline-2026-0002"}))
    assert other.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 2


def test_a_client_may_file_without_consent_to_publish(client, world, api_key):
    assert post(client, **filing(world, api_key)).status_code == 201
    assert post(client, **filing(world, api_key, **{"attribute[publish_consent]": "false"})).status_code == 201
    consents = db.session.scalars(select(Ticket.publish_consent).order_by(Ticket.id)).all()
    assert consents == [True, False]


def test_without_a_client_request_id_each_post_is_a_new_complaint(client, world, api_key):
    post(client, **filing(world, api_key))
    post(client, **filing(world, api_key))
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 2


# ---------------------------------------------------------------- reading requests

SECRETS = ("襄阳市恒达精密制造有限公司", "王建国", "13912345678", "wang@corp.example")


def no_identity(response, world) -> None:
    text = response.get_data(as_text=True)
    for secret in (*SECRETS, world.acme.credit_code):
        assert secret not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unpublished_request_shows_only_its_id_status_category_dates_unit_and_due_date(client, world, fmt):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    db.session.commit()

    response = client.get(f"{API}/requests/{ticket.tracking_no}.{fmt}")

    assert response.status_code == 200
    (request,) = parse(response)
    assert (
        set(request)
        == set(UNPUBLISHED_FIELDS)
        == {
            "service_request_id",
            "status",
            "status_extended",
            "service_code",
            "service_name",
            "agency_responsible",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
        }
    )
    assert request["service_request_id"] == ticket.tracking_no
    assert request["status"] == "open"
    assert request["status_extended"] == "assigned"
    assert request["service_code"] == str(world.schooling.id)
    assert request["service_name"] == "子女入学"
    assert request["agency_responsible"] == "区教育局"
    assert datetime.fromisoformat(request["expected_datetime"]).replace(tzinfo=None) == ticket.handle_due
    assert request["requested_datetime"].endswith("+08:00")
    no_identity(response, world)
    assert "入学没有学位" not in response.get_data(as_text=True)


def test_a_submitted_request_names_the_unit_routing_points_to(client, world):
    ticket = file_ticket(world)
    unrouted = file_ticket(world, category=world.misc)
    db.session.commit()

    body = parse(client.get(f"{API}/requests.json?service_request_id={ticket.tracking_no},{unrouted.tracking_no}"))

    by_id = {r["service_request_id"]: r for r in body}
    assert by_id[ticket.tracking_no]["agency_responsible"] == "区教育局"
    assert by_id[ticket.tracking_no]["status_extended"] == "received"
    assert by_id[ticket.tracking_no]["expected_datetime"] is None
    assert by_id[unrouted.tracking_no]["agency_responsible"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_published_request_shows_its_public_summary_and_result_without_the_company(client, world, fmt):
    ticket = publish(world, advance(world, file_ticket(world), State.CLOSED))
    db.session.commit()

    response = client.get(f"{API}/requests/{ticket.tracking_no}.{fmt}")

    (request,) = parse(response)
    assert request["status"] == "closed"
    assert request["status_extended"] == "closed"
    assert request["description"] == "某企业反映职工子女入学没有学位。"
    assert request["status_notes"] == "已协调解决。"
    assert request["address"] == "东津街道"
    assert request["agency_responsible"] == "区教育局"
    last_public = max(e.at for e in ticket.events if e.public)
    assert datetime.fromisoformat(request["updated_datetime"]).replace(tzinfo=None) == max(
        last_public, ticket.closed_at
    )
    no_identity(response, world)


def test_a_published_summary_is_redacted(client, world):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    workflow.perform(
        ticket,
        "publish",
        world.supervisor,
        public_title="入学难",
        public_summary="襄阳市恒达精密制造有限公司的王建国反映入学难。",
    )
    db.session.commit()

    response = client.get(f"{API}/requests/{ticket.tracking_no}.json")

    assert "入学难" in parse(response)[0]["description"]
    no_identity(response, world)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_request_list_is_newest_first_and_never_shows_identity(client, world, fmt):
    at = now() - timedelta(days=3)
    tickets = [file_ticket(world, at=at + timedelta(hours=i)) for i in range(3)]
    publish(world, advance(world, tickets[1], State.DISPATCHED))
    db.session.commit()

    response = client.get(f"{API}/requests.{fmt}")

    assert response.status_code == 200
    body = parse(response)
    assert [r["service_request_id"] for r in body] == [t.tracking_no for t in reversed(tickets)]
    assert [("description" in r) for r in body] == [False, True, False]
    no_identity(response, world)


def test_requests_filter_by_service_code_status_dates_and_ids(client, world):
    base = now() - timedelta(days=10)
    schooling = file_ticket(world, at=base)
    hiring = file_ticket(world, category=world.hiring, at=base + timedelta(days=1))
    closed = advance(world, file_ticket(world, at=base + timedelta(days=2)), State.CLOSED)
    old = file_ticket(world, at=now() - timedelta(days=120))
    db.session.commit()

    def ids(query: str) -> set[str]:
        response = client.get(f"{API}/requests.json?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return {r["service_request_id"] for r in parse(response)}

    assert ids("") == {schooling.tracking_no, hiring.tracking_no, closed.tracking_no}  # the last 90 days
    assert ids(f"service_code={world.hiring.id}") == {hiring.tracking_no}
    assert ids(f"service_code={world.hiring.id},{world.schooling.id}") == {
        schooling.tracking_no,
        hiring.tracking_no,
        closed.tracking_no,
    }
    assert ids("status=closed") == {closed.tracking_no}
    assert ids("status=open") == {schooling.tracking_no, hiring.tracking_no}
    assert ids("status=open,closed") == {schooling.tracking_no, hiring.tracking_no, closed.tracking_no}
    start = (base + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    end = (base + timedelta(days=1, hours=12)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids(f"start_date={start}&end_date={end}".replace("+", "%2B")) == {hiring.tracking_no}
    utc_end = (base + timedelta(days=1, hours=12) - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={start.replace('+', '%2B')}&end_date={utc_end}") == {hiring.tracking_no}
    old_start = (now() - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={old_start}") == {old.tracking_no}
    # service_request_id overrides every other filter
    assert ids(f"service_request_id={old.tracking_no},{hiring.tracking_no}&status=closed") == {
        old.tracking_no,
        hiring.tracking_no,
    }


def test_bad_request_filters_are_400(client, world):
    for query in (
        "status=pending",
        "start_date=yesterday",
        "service_code=abc",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        "start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
    ):
        response = client.get(f"{API}/requests.xml?{query}")
        assert response.status_code == 400, query
        assert errors(response)[0]["code"] == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_is_the_service_request_id(client, world, api_key, fmt):
    created = parse(post(client, **filing(world, api_key)))[0]["service_request_id"]

    response = client.get(f"{API}/tokens/{created}.{fmt}")

    assert response.status_code == 200
    assert parse(response) == [{"service_request_id": created, "token": created}]


def test_every_state_has_an_extended_status():
    assert set(STATUS_EXTENDED) == set(State)


def test_listing_requests_takes_the_same_number_of_queries_for_4_or_30_tickets(client, world):
    def queries_for_listing() -> int:
        db.session.expire_all()
        seen = []

        def count(*args):
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"{API}/requests.json").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    def add(count: int) -> None:
        for i in range(count):  # both categories, published or waiting for dispatch
            ticket = file_ticket(world, category=world.hiring if i % 2 else world.schooling)
            if i % 3 == 0:
                publish(world, advance(world, ticket, State.DISPATCHED))
        db.session.commit()

    add(4)
    few = queries_for_listing()
    add(26)
    assert queries_for_listing() == few
