"""A ticket's clocks, state by state: the specification of supervise.domain.clocks.

The table below is DOMAIN.md's life of a ticket read for its clocks: which groups each state belongs
to, which deadline the ticket answers to there, and whether that clock runs. Every other test here
checks one rule against it, and that the SQL and Python forms of each rule agree in every state.
"""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import not_, select

from supervise.domain import clocks, disclosure, workflow
from supervise.domain.calendar import WorkingCalendar
from supervise.domain.clock import frozen
from supervise.extensions import db
from supervise.models import State, Ticket
from tests.factories import advance, file_ticket

S = State
AT = datetime(2026, 3, 4, 10, 0)  # a Wednesday, no holiday near
LONG_AGO = AT - timedelta(days=30)

# state: (groups it belongs to, the deadline it answers to, how that clock stands)
SPEC = {
    S.SUBMITTED: ({"open", "before dispatch"}, "accept", "running"),
    S.AWAITING_DISPATCH: ({"open", "before dispatch", "publishable"}, "handle", "not started"),
    S.DISPATCHED: ({"open", "handling", "with the unit", "publishable"}, "handle", "running"),
    S.RETURNED: ({"open", "handling", "publishable"}, "handle", "running"),
    S.IN_PROGRESS: ({"open", "handling", "at work", "with the unit", "publishable"}, "handle", "running"),
    S.AWAITING_MATERIAL: ({"open", "at work", "with the unit", "publishable"}, "handle", "paused"),
    S.REPLIED: ({"open", "after reply", "publishable"}, "handle", "stopped"),
    S.AWAITING_RATING: ({"open", "after reply", "publishable"}, "rate", "running"),
    S.RATING_REVIEW: ({"open", "after reply", "publishable"}, "handle", "stopped"),
    S.CLOSED: ({"final", "publishable"}, None, None),
    S.DECLINED: ({"final"}, None, None),
    S.MERGED: ({"final"}, None, None),
    S.FORWARDED: ({"final"}, None, None),
}
GROUPS = {
    "open": clocks.OPEN_STATES,
    "final": clocks.FINAL_STATES,
    "before dispatch": clocks.BEFORE_DISPATCH,
    "handling": clocks.HANDLING,
    "at work": clocks.AT_WORK,
    "with the unit": clocks.WITH_THE_UNIT,
    "after reply": clocks.AFTER_REPLY,
    "publishable": clocks.PUBLISHABLE,
}
# Where a due date stands against the moment judged.
DUE_CASES = {
    "not set": None,
    "passed": AT - timedelta(hours=1),
    "this very moment": AT,
    "ahead": AT + timedelta(hours=1),
}


def test_the_specification_covers_every_state_once():
    assert set(SPEC) == set(State)


@pytest.mark.parametrize("state", list(State))
def test_each_state_belongs_to_exactly_its_groups(state):
    expected, _, _ = SPEC[state]
    assert {name for name, members in GROUPS.items() if state in members} == expected


def test_open_and_final_split_the_states_in_two():
    assert set(State) == clocks.OPEN_STATES | clocks.FINAL_STATES
    assert not clocks.OPEN_STATES & clocks.FINAL_STATES


@pytest.mark.parametrize("state", list(State))
def test_each_state_answers_to_its_deadline_and_the_clock_runs_only_where_it_should(state):
    _, deadline, standing = SPEC[state]
    clock = clocks.DEADLINE_OF_STATE[state]
    assert (clock.key if clock else None) == deadline
    if clock is not None:
        assert (state in clock.runs_in) == (standing == "running")


def _bare_ticket(world, state: State, due: datetime | None, **fields) -> Ticket:
    """A ticket put straight into ``state`` with every due date at ``due`` (no workflow: any mix)."""
    dues = dict.fromkeys(("accept_due", "sign_due", "handle_due", "rate_due"), due)
    ticket = Ticket(
        enterprise_id=world.acme.id,
        category_id=world.schooling.id,
        title="t",
        description="d",
        retrieval_code="ABCDEF",
        state=state,
        handle_days=15,
        **(dues | fields),
    )
    db.session.add(ticket)
    return ticket


@pytest.fixture
def every_state_and_due(world):
    """One ticket for each state and each position of its due dates against AT."""
    tickets = {(state, case): _bare_ticket(world, state, due) for state in State for case, due in DUE_CASES.items()}
    db.session.flush()
    return tickets


@pytest.mark.parametrize("clock", clocks.CLOCKS, ids=lambda c: c.key)
def test_late_in_python_and_late_in_sql_agree_for_every_state_and_due_date(every_state_and_due, clock):
    late_in_python = {t.id for t in every_state_and_due.values() if clock.is_late(t, AT)}
    late_in_sql = set(db.session.scalars(select(Ticket.id).where(clock.late_clause(AT))))
    not_late_in_sql = set(db.session.scalars(select(Ticket.id).where(not_(clock.late_clause(AT)))))
    assert late_in_sql == late_in_python
    assert not_late_in_sql == {t.id for t in every_state_and_due.values()} - late_in_python


def test_is_overdue_and_the_overdue_clause_agree_for_every_state_and_due_date(every_state_and_due):
    in_python = {t.id for t in every_state_and_due.values() if clocks.is_overdue(t, AT)}
    assert set(db.session.scalars(select(Ticket.id).where(clocks.overdue_clause(AT)))) == in_python


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("case", list(DUE_CASES))
def test_a_ticket_is_overdue_only_on_a_running_handling_clock_past_its_due_date(every_state_and_due, state, case):
    _, deadline, standing = SPEC[state]
    running_handling = deadline == "handle" and standing == "running"
    assert clocks.is_overdue(every_state_and_due[state, case], AT) == (running_handling and case == "passed")


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("case", list(DUE_CASES))
def test_the_rating_time_is_over_only_while_awaiting_a_rating_past_its_due_date(every_state_and_due, state, case):
    expected = state == S.AWAITING_RATING and case == "passed"
    assert clocks.rating_time_over(every_state_and_due[state, case], AT) == expected


@pytest.mark.parametrize("state", list(State))
def test_the_due_date_a_list_shows_is_that_of_the_deadline_the_state_answers_to(world, state):
    ticket = _bare_ticket(
        world,
        state,
        None,
        accept_due=AT,
        sign_due=AT + timedelta(days=1),
        handle_due=AT + timedelta(days=2),
        rate_due=AT + timedelta(days=3),
    )
    _, deadline, _ = SPEC[state]
    expected = {None: None, "accept": AT, "handle": AT + timedelta(days=2), "rate": AT + timedelta(days=3)}
    assert clocks.due_date(ticket) == expected[deadline]


@pytest.mark.parametrize("state", list(State))
def test_a_ticket_page_lists_the_deadlines_in_force_in_its_state(world, state):
    ticket = _bare_ticket(world, state, AT)
    expected = ({"accept"} if state == S.SUBMITTED else set()) | ({"sign"} if state == S.DISPATCHED else set())
    expected |= {"handle"} if state in clocks.OPEN_STATES else set()
    expected |= {"rate"} if state == S.AWAITING_RATING else set()
    assert clocks.deadlines_in_force(ticket) == expected
    ticket.accept_due = ticket.sign_due = ticket.handle_due = ticket.rate_due = None
    assert clocks.deadlines_in_force(ticket) == set()  # a clock not started shows no date


@pytest.mark.parametrize("state", list(State))
def test_the_warning_colour_is_that_of_the_running_acceptance_or_handling_clock(world, state):
    ticket = _bare_ticket(world, state, LONG_AGO)
    _, deadline, standing = SPEC[state]
    coloured = deadline in ("accept", "handle") and standing == "running"
    assert clocks.warning(ticket, WorkingCalendar(), AT) == ("red" if coloured else None)


def test_the_due_soon_clause_agrees_with_the_yellow_colour_in_every_state(world):
    cal = WorkingCalendar()
    tickets = [_bare_ticket(world, state, AT + timedelta(days=days)) for state in State for days in (-1, 1, 2, 10)]
    db.session.flush()
    yellow = {
        t.id
        for t in tickets
        if clocks.DEADLINE_OF_STATE[t.state] is clocks.HANDLE and clocks.warning(t, cal, AT) == "yellow"
    }
    assert set(db.session.scalars(select(Ticket.id).where(clocks.due_soon_clause(cal, AT)))) == yellow


def test_a_late_reply_records_the_deadline_it_missed(world):
    ticket = advance(world, file_ticket(world, at=LONG_AGO), State.IN_PROGRESS, at=LONG_AGO)
    advance(world, ticket, State.REPLIED, at=AT)
    assert ticket.overdue_at == ticket.handle_due
    assert clocks.was_overdue(ticket, AT + timedelta(days=365))


def test_a_merged_ticket_does_not_turn_overdue_after_the_merge_stopped_its_clock(world):
    # On main the public view let a merged ticket's handling clock run on after the merge.
    ticket = advance(world, file_ticket(world, at=AT), State.IN_PROGRESS, at=AT)
    target = advance(world, file_ticket(world, at=AT), State.IN_PROGRESS, at=AT)
    workflow.perform(ticket, "merge", world.supervisor, at=AT + timedelta(days=1), into=target.tracking_no)
    later = ticket.handle_due + timedelta(days=30)
    assert not clocks.was_overdue(ticket, later)
    assert not disclosure.public_view(ticket, WorkingCalendar(), later).overdue


def test_a_ticket_merged_after_its_deadline_stays_overdue(world):
    ticket = advance(world, file_ticket(world, at=LONG_AGO), State.IN_PROGRESS, at=LONG_AGO)
    target = advance(world, file_ticket(world, at=AT), State.IN_PROGRESS, at=AT)
    workflow.perform(ticket, "merge", world.supervisor, at=AT, into=target.tracking_no)
    assert ticket.overdue_at == ticket.handle_due
    assert disclosure.public_view(ticket, WorkingCalendar(), AT + timedelta(days=365)).overdue


@pytest.fixture
def awaiting_rating(world):
    ticket = advance(world, file_ticket(world, at=AT), State.AWAITING_RATING, at=AT)
    db.session.commit()
    return ticket


def test_the_console_offers_close_unrated_only_once_the_rating_time_is_over(awaiting_rating, login, world):
    supervisor = login(world.supervisor)
    url = f"/console/tickets/{awaiting_rating.id}"
    with frozen(awaiting_rating.rate_due):
        assert "close_unrated" not in supervisor.get(url).get_data(as_text=True)
    with frozen(awaiting_rating.rate_due + timedelta(seconds=1)):
        assert "close_unrated" in supervisor.get(url).get_data(as_text=True)
