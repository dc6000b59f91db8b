"""A property-based fuzz of the JSON API against its own OpenAPI document (schemathesis + hypothesis).

Every operation of /api/v1/openapi.json gets generated requests, valid ones and ones that break the
document, sent in-process to the WSGI app with the token of a supervisor, a lead unit, a co-handling
unit, another unit or someone not allowed, on tickets in every state. No answer may be a server error,
and every answer must match what the document says of it (status, content type, headers, body).
Reproducible: hypothesis is derandomized and keeps no example database, and the clock is frozen.
"""

import time
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.openapi import from_wsgi

from supervise.domain import workflow
from supervise.domain.clock import frozen, now
from supervise.extensions import db
from supervise.models import ApiToken, Peer, Role, State
from supervise.params import MAX_ID
from tests.factories import advance, file_ticket, make_user, publish

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]
# About 1,100 requests: some 20 s on SQLite or PostgreSQL on an idle machine (the budget is one minute).
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 12}
MONDAY = datetime(2026, 3, 2, 9, 0)


@pytest.fixture(autouse=True)
def _known_day():
    """The same day on every run: with derandomized generation, the same requests get the same answers."""
    with frozen(MONDAY):
        yield


def _secret(user) -> str:
    token, secret = ApiToken.issue(user, "fuzz")
    db.session.add(token)
    return secret


def tickets_in_every_state(world) -> list[int]:
    """Tickets of two units in every state, some published, with requests and orders pending."""

    def act(ticket, action, who, **data):
        workflow.perform(ticket, action, getattr(world, who), **data)
        db.session.flush()
        return ticket

    made = [file_ticket(world), file_ticket(world, category=world.hiring)]  # submitted
    made.append(act(file_ticket(world, category=world.misc), "accept", "supervisor"))  # awaiting dispatch
    for state in (State.DISPATCHED, State.IN_PROGRESS, State.REPLIED, State.AWAITING_RATING, State.CLOSED):
        made.append(advance(world, file_ticket(world), state))
    made.append(act(advance(world, file_ticket(world, category=world.hiring), State.DISPATCHED), "sign", "hr_handler"))
    made.append(
        act(
            advance(world, file_ticket(world), State.DISPATCHED),
            "return",
            "handler",
            reason="不属于本单位",
            basis="职责清单",
        )
    )
    made.append(
        act(advance(world, file_ticket(world), State.IN_PROGRESS), "request_material", "handler", note="请补充材料")
    )
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    act(ticket, "request_extension", "handler", new_due=_working_day_after(ticket.handle_due.date()), reason="需要会商")
    act(ticket, "issue_order", "supervisor", level="key", deadline=now().date() + timedelta(days=10), note="督办")
    made.append(ticket)
    bad = advance(world, file_ticket(world), State.AWAITING_RATING)
    made.append(act(bad, "rate", "enterprise_user", rating=1, solved=False))  # rating review
    made.append(act(file_ticket(world), "decline", "supervisor", reason="repeat"))
    target = made[3]
    made.append(act(file_ticket(world), "merge", "supervisor", into=target.tracking_no))
    peer = Peer(
        name="十堰平台",
        zone="十堰市",
        base_url="http://127.0.0.1:9/",
        api_key="k",
        service_codes={str(world.misc.id): "1"},
    )
    db.session.add(peer)
    db.session.flush()
    waiting = act(file_ticket(world, category=world.misc), "accept", "supervisor")
    made.append(act(waiting, "forward", "supervisor", peer_id=str(peer.id), note="在十堰"))
    made.append(publish(world, advance(world, file_ticket(world), State.CLOSED)))
    made.append(publish(world, advance(world, file_ticket(world), State.IN_PROGRESS)))
    db.session.commit()
    assert {t.state for t in made} == set(State)
    return [t.id for t in made]


def _working_day_after(day):
    day += timedelta(days=14)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def fuzz_operation(operation, mode: GenerationMode, examples: int, tokens: list[str], ticket_ids: list[int]) -> int:
    """Send ``examples`` generated requests to ``operation``; returns how many were sent."""
    # Three times in four a real ticket, in place of a generated id that is valid but most likely unknown.
    real = st.sampled_from(ticket_ids)
    real_ids = st.one_of(real, real, real, st.none()) if "{id}" in operation.path else st.none()
    sent = []

    @settings(
        max_examples=examples, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.tuples(operation.as_strategy(generation_mode=mode), st.sampled_from(tokens), real_ids))
    def fuzz(generated):
        case, secret, ticket_id = generated
        generated_id = case.path_parameters.get("id") if case.path_parameters else None
        if ticket_id is not None and isinstance(generated_id, int) and 1 <= generated_id <= MAX_ID:
            case.path_parameters["id"] = ticket_id  # an id breaking the document is sent as generated
        db.session.rollback()  # each request reads the database afresh
        case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
        sent.append(1)

    fuzz()
    return len(sent)


def test_the_api_never_fails_and_always_answers_as_documented(app, world):
    ticket_ids = tickets_in_every_state(world)
    street_handler = make_user(Role.HANDLER, "street_handler", unit=world.street)
    tokens = [
        _secret(u)
        for u in (
            world.supervisor,
            world.supervisor,
            world.handler,
            world.handler,
            world.leader,
            world.hr_handler,
            street_handler,
            world.enterprise_user,
        )
    ]
    tokens.append("t_unknown-token")
    db.session.commit()

    schema = from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 31
    started = time.monotonic()
    calls = {"count": 0}

    for operation in operations:
        for mode, examples in EXAMPLES.items():
            calls["count"] += fuzz_operation(operation, mode, examples, tokens, ticket_ids)

    elapsed = time.monotonic() - started
    print(f"\nAPI fuzz: {calls['count']} requests over {len(operations)} operations in {elapsed:.1f} s")
    assert calls["count"] >= len(operations) * 10  # hypothesis may stop early where there is little to vary
