"""The co-handling rows' copies of their ticket's state and handling due date (issue 10): they follow
every transition and every change of the due date, whatever makes it, so that the co-handled half of
the workbench's timed counts and lists is read from ``ticket_co_units`` alone; on PostgreSQL those
queries are index ranges of ``ix_ticket_co_units_unit_state_due`` that never visit a ticket."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from supervise.domain import access, clocks, co_copies, scoped, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.calendar_admin import sync_from_package
from supervise.domain.clock import frozen, now
from supervise.extensions import db
from supervise.models import Role, State, Ticket, ticket_co_units
from tests.factories import advance, file_ticket, make_user

co = ticket_co_units.c


def copies(ticket: Ticket) -> set[tuple]:
    """The (unit, state, handling due date) of each of the ticket's co-handling rows, as stored."""
    rows = db.session.execute(select(co.unit_id, co.state, co.handle_due).where(co.ticket_id == ticket.id))
    return {tuple(row) for row in rows}


def as_ticket_has_them(ticket: Ticket) -> set[tuple]:
    db.session.refresh(ticket)
    return {(u.id, ticket.state, ticket.handle_due) for u in ticket.co_units}


def assert_copies_follow(ticket: Ticket) -> None:
    db.session.flush()
    expected = as_ticket_has_them(ticket)
    assert expected, "the ticket has no co-handling unit"
    assert copies(ticket) == expected


@pytest.fixture
def street_handler(world):
    user = make_user(Role.HANDLER, "street_handler", unit=world.street, name="街道承办")
    db.session.commit()
    return user


def co_handled(world, to: State = State.DISPATCHED, at: datetime | None = None) -> Ticket:
    """A schooling ticket: led by the education bureau, co-handled by the street office."""
    ticket = advance(world, file_ticket(world, at=at), to, at=at)
    db.session.commit()
    return ticket


def test_a_dispatched_ticket_s_co_handling_rows_hold_its_state_and_due_date(world):
    ticket = co_handled(world)
    assert ticket.handle_due is not None
    assert copies(ticket) == {(world.street.id, State.DISPATCHED, ticket.handle_due)}


def test_the_copies_follow_signing_the_reply_the_rating_and_the_close(world):
    ticket = co_handled(world)
    for state in (State.IN_PROGRESS, State.REPLIED, State.AWAITING_RATING, State.CLOSED):
        advance(world, ticket, state)
        assert_copies_follow(ticket)
    assert {state for _, state, _ in copies(ticket)} == {State.CLOSED}


def test_the_copies_follow_a_granted_extension(world):
    ticket = co_handled(world, State.IN_PROGRESS)
    new_due = ticket.handle_due.date() + timedelta(days=7)  # the same weekday a week later
    workflow.perform(ticket, "request_extension", world.handler, new_due=new_due, reason="需要协调区外学校")
    workflow.perform(ticket, "grant_extension", world.supervisor)
    db.session.commit()
    assert ticket.handle_due.date() == new_due
    assert_copies_follow(ticket)


def test_the_copies_follow_a_pause_for_material_and_the_resumed_clock(world):
    start = now() - timedelta(days=20)
    ticket = co_handled(world, State.IN_PROGRESS, at=start)
    before = ticket.handle_due
    workflow.perform(ticket, "request_material", world.handler, at=start + timedelta(days=1), note="请补充劳动合同")
    assert_copies_follow(ticket)
    assert {state for _, state, _ in copies(ticket)} == {State.AWAITING_MATERIAL}
    workflow.perform(ticket, "provide_material", world.enterprise_user, at=start + timedelta(days=8), note="已上传")
    assert_copies_follow(ticket)
    assert ticket.handle_due > before


def test_the_copies_follow_a_reopened_ticket_s_new_due_date(world):
    ticket = co_handled(world, State.AWAITING_RATING, at=now() - timedelta(days=30))
    workflow.perform(ticket, "rate", world.enterprise_user, rating=1, solved=False)
    assert_copies_follow(ticket)
    workflow.perform(ticket, "reopen", world.supervisor, note="请重新办理")
    assert_copies_follow(ticket)
    assert {state for _, state, _ in copies(ticket)} == {State.IN_PROGRESS}


def test_the_copies_follow_a_due_date_moved_by_a_calendar_change(world, login):
    accepted, changed = datetime(2026, 12, 18, 9), datetime(2026, 12, 21, 10)
    sync_from_package([2026])
    ticket = co_handled(world, at=accepted)
    before = ticket.handle_due
    with frozen(changed):
        login(world.admin).post("/admin/calendar", data={"day": "2027-01-01", "is_workday": "0", "name": "元旦"})
    db.session.expire_all()
    assert ticket.handle_due > before  # moved by supervise.domain.due_moves
    assert_copies_follow(ticket)


def test_a_co_handling_unit_added_later_gets_the_copies(world):
    ticket = co_handled(world, State.IN_PROGRESS)
    ticket.co_units.append(world.hr)
    db.session.commit()
    assert copies(ticket) == {(u, State.IN_PROGRESS, ticket.handle_due) for u in (world.street.id, world.hr.id)}


def test_the_rebuild_command_copies_them_again_after_an_import_around_the_application(world, app):
    ticket = co_handled(world, State.IN_PROGRESS)
    db.session.execute(update(ticket_co_units).values(state=None, handle_due=None))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["counts-rebuild"])
    assert result.exit_code == 0, result.output
    assert copies(ticket) == {(world.street.id, State.IN_PROGRESS, ticket.handle_due)}


# ---------------------------------------------------------------- read through the copies


def timed(at: datetime) -> dict:
    return {
        "overdue": clocks.overdue_clause(at),
        "due_soon": clocks.due_soon_clause(load_calendar(), at),
        "to_sign": Ticket.state == State.DISPATCHED,
    }


def counted_through_tickets(unit_id: int, condition) -> int:
    """The co-handled tickets meeting ``condition``, read from the tickets (the rule itself)."""
    joined = select(func.count()).select_from(ticket_co_units).join(Ticket, Ticket.id == co.ticket_id)
    return db.session.scalar(joined.where(co.unit_id == unit_id, condition))


def test_the_co_handled_timed_counts_read_from_the_copies_equal_those_read_from_the_tickets(world, street_handler):
    long_ago = now() - timedelta(days=60)
    co_handled(world, State.IN_PROGRESS, at=long_ago)  # overdue
    soon = co_handled(world, State.IN_PROGRESS)
    soon.handle_due = now() + timedelta(hours=20)  # due soon
    co_handled(world)  # to sign, not due yet
    co_handled(world, State.CLOSED, at=long_ago)
    db.session.commit()
    for key, condition in timed(now()).items():
        expected = counted_through_tickets(world.street.id, condition)
        assert expected == 1, key
        assert scoped.count(street_handler, condition) == expected, key
        (query, _column) = access.scope_parts(street_handler, condition)[1]
        assert "tickets" not in str(query), key  # the co-handled part reads ticket_co_units alone


def test_a_condition_on_other_columns_joins_the_tickets(world):
    query = co_copies.co_handled(world.street.id, Ticket.enterprise_id == world.acme.id)
    assert "JOIN tickets" in str(query)


def test_the_workbench_lists_co_handled_overdue_tickets_from_the_copies(world, street_handler, login):
    long_ago = now() - timedelta(days=60)
    late = co_handled(world, State.IN_PROGRESS, at=long_ago)
    on_time = co_handled(world, State.IN_PROGRESS)
    page = login(street_handler).get("/unit/?tab=overdue").get_data(as_text=True)
    assert late.tracking_no in page and on_time.tracking_no not in page


# ---------------------------------------------------------------- plans on PostgreSQL


def _explain(query) -> str:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return plan


@pytest.mark.parametrize("key", ["overdue", "due_soon", "to_sign"])
def test_the_co_handled_counts_and_lists_are_ranges_of_the_co_handling_index(world, street_handler, key):
    """A unit with a long history (thousands of closed co-handled tickets, written here as bare rows
    with the foreign-key triggers off): its overdue, due-soon and to-sign parts are index ranges of
    unit, state (and due date) that read no ticket and no closed row."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plans are PostgreSQL's (run with TEST_DATABASE_URL)")
    for state in (State.IN_PROGRESS, State.DISPATCHED, State.CLOSED):
        co_handled(world, state, at=now() - timedelta(days=60))
    db.session.execute(text("SET LOCAL session_replication_role = replica"))
    history = [
        {"ticket_id": 10_000_000 + i, "unit_id": unit, "state": State.CLOSED, "handle_due": now() - timedelta(days=i)}
        for i in range(3000)
        for unit in (world.street.id, world.hr.id)
    ]
    db.session.execute(ticket_co_units.insert(), history)
    db.session.execute(text("SET LOCAL session_replication_role = origin"))
    db.session.execute(text("ANALYZE ticket_co_units"))
    condition = timed(now())[key]
    (query, column) = access.scope_parts(street_handler, condition)[1]
    counted = select(func.count()).select_from(query.subquery())
    listed = query.order_by(column.desc()).limit(26)
    for plan in (_explain(counted), _explain(listed)):
        # (Index-only once vacuumed: the visibility map of a table just written is empty.)
        assert "ix_ticket_co_units_unit_state_due" in plan, plan
        condition_line = next(line for line in plan.splitlines() if "Index Cond" in line)
        assert "unit_id =" in condition_line and "state" in condition_line, plan
        if key != "to_sign":
            assert "handle_due <" in condition_line, plan
        assert "on tickets" not in plan and "Seq Scan" not in plan, plan


def test_the_timed_lists_read_whole_ranges_and_page_newest_first(world, street_handler):
    long_ago = now() - timedelta(days=60)
    late = [co_handled(world, State.IN_PROGRESS, at=long_ago).id for _ in range(3)]
    co_handled(world, State.IN_PROGRESS)  # not late

    def page(after):
        ids = scoped.newest_ids(street_handler, [clocks.overdue_clause(now())], after, 2, whole_range=True)
        return sorted(set(db.session.scalars(ids)), reverse=True)[:2]

    first = page(None)
    assert first == sorted(late, reverse=True)[:2]
    assert page((first[-1],)) == [min(late)]
