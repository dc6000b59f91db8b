"""The kept ticket counts (workbench tabs, console queues) and the staff lists read through indexes
(issue 10, item 1): the counts follow every change the state machine makes, a rebuild from scratch
finds the same figures, the lists are right across pages, and on PostgreSQL the new count and list
queries have an index to walk (no sequential scan of tickets)."""

import random
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, event, text

from supervise.domain import clocks, counts, workflow
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import EVERYWHERE, Role, State, TicketCount
from tests.factories import advance, file_ticket, make_user

# Data for each action the random walk may take (the forms' answers), by who may take it.
ACTIONS = {
    "accept": ("supervisor", {}),
    "decline": ("supervisor", {"reason": "litigation"}),
    "dispatch": ("supervisor", {"unit_id": "street"}),
    "reject_return": ("supervisor", {"note": "属于教育局职责。"}),
    "sign": ("handler", {}),
    "return": ("handler", {"reason": "不归我们管", "basis": "三定方案"}),
    "request_material": ("handler", {"note": "请补充职工劳动合同"}),
    "provide_material": ("enterprise_user", {"note": "已上传"}),
    "reply": ("handler", {"outcome": "resolved", "text": "已协调学位。"}),
    "send_back": ("supervisor", {"note": "请补充办理依据"}),
    "approve_reply": ("supervisor", {}),
    "rate": ("enterprise_user", {"rating": 1, "solved": False}),
    "reopen": ("supervisor", {"note": "请重新办理"}),
    "uphold": ("supervisor", {"note": "已按政策解释。"}),
    "issue_order": ("supervisor", {"level": "general", "note": "尽快办理"}),
    "publish": ("supervisor", {"public_title": "职工子女入学难", "public_summary": "某企业反映入学难。"}),
    "publish_result": ("supervisor", {"public_reply": "已协调解决。"}),
    "unpublish": ("supervisor", {"note": "企业要求撤回"}),
}


def _data(world, ticket, action: str) -> tuple[object, dict]:
    who, data = ACTIONS[action]
    actor = getattr(world, who)
    if who == "handler" and ticket.lead_unit_id == world.street.id:
        actor = world.street_handler
    data = dict(data)
    if data.get("unit_id") == "street":
        data["unit_id"] = random.choice([world.street.id, world.edu.id])
    if action == "issue_order":
        data["deadline"] = date.today() + timedelta(days=3)
    return actor, data


def _random_step(world, tickets, rng: random.Random) -> None:
    ticket = rng.choice([t for t in tickets if t.state not in clocks.FINAL_STATES] or tickets)
    possible = [a for a in ACTIONS if ticket.state in workflow.TRANSITIONS[a].sources]
    if "decline" in possible and rng.random() > 0.1:  # a walk that declines everything goes nowhere
        possible.remove("decline")
    if not possible:
        return
    action = rng.choice(possible)
    actor, data = _data(world, ticket, action)
    try:
        workflow.perform(ticket, action, actor, **data)
    except workflow.TransitionError:
        return
    db.session.flush()


@pytest.fixture
def street_handler(world):
    world.street_handler = make_user(Role.HANDLER, "street_handler", unit=world.street, name="街道承办")
    db.session.commit()
    return world.street_handler


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_counts_equal_the_counts_recomputed_from_the_tickets_after_random_transitions(
    world, street_handler, seed
):
    rng = random.Random(seed)
    random.seed(seed)
    tickets = [file_ticket(world, category=rng.choice([world.schooling, world.misc])) for _ in range(12)]
    for step in range(150):
        _random_step(world, tickets, rng)
        if step % 25 == 0:
            db.session.commit()
    db.session.commit()

    assert counts.kept() == counts.computed()
    assert (
        sum(n for (scope, bucket), n in counts.kept().items() if scope == EVERYWHERE and bucket != "to_publish") == 12
    )
    # The walk went somewhere: several states, units and the publication backlog are counted.
    assert len({bucket for _, bucket in counts.kept()}) >= 4


def test_a_co_handling_unit_counts_the_tickets_it_co_handles(world):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)  # schooling: led by edu, co-handled by street
    db.session.commit()
    assert [u.id for u in ticket.co_units] == [world.street.id]
    assert counts.read(world.street.id)["dispatched"] == 1
    assert counts.read(world.edu.id)["dispatched"] == 1
    assert counts.read(EVERYWHERE)["dispatched"] == 1
    assert counts.read(EVERYWHERE)["submitted"] == 0


def test_the_rebuild_command_restores_counts_lost_or_wrong(world, app):
    advance(world, file_ticket(world), State.IN_PROGRESS)
    file_ticket(world)
    db.session.commit()
    expected = counts.kept()
    db.session.execute(delete(TicketCount))
    db.session.add(TicketCount(scope_id=EVERYWHERE, bucket="closed", n=99))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["counts-rebuild"])

    assert result.exit_code == 0, result.output
    assert "ticket counts rebuilt" in result.output
    assert counts.kept() == expected == counts.computed()


def test_the_workbench_tabs_show_the_kept_counts_and_the_timed_ones(world, login):
    long_ago = now() - timedelta(days=60)
    advance(world, file_ticket(world, at=long_ago), State.IN_PROGRESS, at=long_ago)  # overdue
    advance(world, file_ticket(world), State.DISPATCHED)
    advance(world, file_ticket(world), State.CLOSED)
    db.session.commit()

    page = login(world.handler).get("/unit/").get_data(as_text=True)

    tab = re.compile(r'>([^<>]+)<span class="count">(\d+)</span>')
    shown = {label.strip(): int(n) for label, n in tab.findall(page)}
    assert shown["All"] == 3 and shown["To sign"] == 1 and shown["In progress"] == 1
    assert shown["Overdue"] == 1 and shown["Closed"] == 1 and shown["Replied"] == 0


def test_a_co_handling_unit_lists_its_led_and_co_handled_tickets_newest_first_across_pages(
    world, street_handler, login
):
    made = []
    for i in range(30):
        ticket = advance(world, file_ticket(world, category=world.schooling, title=f"诉求{i:02d}"), State.DISPATCHED)
        if i % 3 == 0:  # some led by the street office itself
            workflow.perform(ticket, "return", world.handler, reason="不归我们管", basis="三定方案")
            workflow.perform(ticket, "dispatch", world.supervisor, unit_id=world.street.id)
        made.append(ticket)
    file_ticket(world, category=world.misc, title="别的单位的诉求")
    db.session.commit()
    client = login(world.street_handler)

    first = client.get("/unit/").get_data(as_text=True)
    cursor = re.search(r"after=(\d+)", first).group(1)
    second = client.get(f"/unit/?after={cursor}").get_data(as_text=True)

    titles = re.findall(r"诉求\d\d", first) + re.findall(r"诉求\d\d", second)
    assert titles == [f"诉求{i:02d}" for i in reversed(range(30))]
    assert "别的单位的诉求" not in first + second


def test_the_console_lists_the_publication_backlog_from_both_partial_indexes(world, login):
    waiting = file_ticket(world, title="待晒问题")
    advance(world, waiting, State.DISPATCHED)
    closed = advance(world, file_ticket(world, title="待晒结果"), State.CLOSED)
    workflow.perform(closed, "publish", world.supervisor, public_title="入学难", public_summary="某企业反映入学难。")
    declined = file_ticket(world, title="不予受理的诉求")
    workflow.perform(declined, "decline", world.supervisor, reason="litigation")
    db.session.commit()

    page = login(world.supervisor).get("/console/?tab=to_publish").get_data(as_text=True)

    assert "待晒问题" in page and "待晒结果" in page and "不予受理的诉求" not in page
    assert 'To publish<span class="count">2</span>' in page


# ---------------------------------------------------------------- the plans on PostgreSQL


@contextmanager
def _statements():
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _plans(statements) -> list[str]:
    """Each statement on tickets, explained with sequential scans priced out: a plan that still scans
    tickets has no index to take (with the setting off, PostgreSQL takes any index that fits)."""
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plans = []
    for statement, parameters in statements:
        read = "tickets" in statement or "notifications" in statement
        if read and statement.lstrip().upper().startswith("SELECT"):
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars()
            plans.append(statement + "\n" + "\n".join(rows))
    connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return plans


@pytest.mark.parametrize(
    "who,path",
    [
        ("handler", f"/unit/?tab={t}")
        for t in ("all", "to_sign", "in_progress", "due_soon", "overdue", "replied", "closed", "orders")
    ]
    + [
        ("supervisor", f"/console/?tab={t}")
        for t in (
            "to_accept",
            "dispatch_queue",
            "returns",
            "extensions",
            "replies",
            "ratings",
            "orders",
            "overdue",
            "to_publish",
            "all",
        )
    ]
    + [("enterprise_user", "/my/"), ("handler", "/notifications/")],
)
def test_the_staff_pages_read_tickets_through_indexes_only(postgresql_only, world, login, who, path):
    for _ in range(3):
        advance(world, file_ticket(world), State.IN_PROGRESS)
    advance(world, file_ticket(world), State.CLOSED)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    client = login(getattr(world, who))

    with _statements() as sent:
        assert client.get(path).status_code == 200

    plans = _plans(sent)
    assert plans, "the page read no tickets"
    for plan in plans:
        assert "Seq Scan on tickets" not in plan and "Seq Scan on notifications" not in plan, plan


def test_the_tab_counts_are_read_from_the_kept_counts(postgresql_only, world, login):
    """No aggregate over the whole ticket table: the only counts over tickets are the timed tabs', on
    open states."""
    advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    with _statements() as sent:
        login(world.handler).get("/unit/")
    counted = [s for s, _ in sent if "count(" in s.lower() and "tickets" in s]
    assert counted and all("state IN" in s or "supervision_orders" in s for s in counted), counted
    assert any("ticket_counts" in s for s, _ in sent)


def test_the_overdue_queues_index_holds_exactly_the_states_whose_handling_clock_runs(postgresql_only):
    """ix_tickets_handling_newest (migration handling_newest_index) serves the console's overdue queue only
    while its states are the ones the overdue clause names (the planner takes a partial index only then)."""
    definition = db.session.execute(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_tickets_handling_newest'")
    ).scalar()
    assert "INCLUDE (handle_due)" in definition
    assert set(re.findall(r"'(\w+)'::character varying", definition)) == {s.value for s in clocks.HANDLING}
