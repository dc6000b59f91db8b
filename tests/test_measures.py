"""The published measures: each definition on hand-built tickets, periods, the ranking threshold, and
the cells kept up to date (marked dirty with the event, moved by a re-dispatch, refreshed idempotently)."""

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from supervise.domain import deadlines, subscribers, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.calendar_admin import sync_from_package
from supervise.domain.clock import frozen
from supervise.domain.measures import cells, definitions, reports
from supervise.domain.measures.periods import Period, parse_period
from supervise.extensions import db
from supervise.jobs import periodic
from supervise.models import NO_UNIT, State, StatsCell, StatsDirty, Ticket
from tests.factories import MONDAY, dispatched, file_ticket, handled

MARCH = Period("month", 2026, 3)


@pytest.fixture(autouse=True)
def _subscribed():
    subscribers.connect_all()


def refreshed(period: Period = MARCH, group_by: str = "unit") -> dict[str, reports.Row]:
    cells.refresh_dirty(MONDAY + timedelta(days=1))
    db.session.commit()
    return {row.name: row for row in reports.table(period, group_by).rows}


# ---------------------------------------------------------------- each measure's definition


def test_on_time_signing_rate_is_tickets_signed_within_one_working_day_over_tickets_signed(world):
    for i in range(5):
        ticket = dispatched(world)
        late = i == 4
        # Signing is due by the end of the next working day (Tuesday); the late one signs on Wednesday.
        workflow.perform(ticket, "sign", world.handler, at=MONDAY + timedelta(days=2 if late else 1))
    dispatched(world)  # dispatched, not signed yet: outside the rate
    db.session.commit()

    edu = refreshed()[world.edu.name]

    assert edu.counts["received"] == 6 and edu.counts["signed"] == 5 and edu.counts["signed_on_time"] == 4
    assert edu.value("on_time_signing") == pytest.approx(0.8)
    assert edu.display("on_time_signing") == "80.0%"


def test_satisfaction_rate_counts_basically_satisfied_and_better_over_all_ratings(world):
    for rating in (5, 4, 3, 2, 1):
        ticket = handled(world, dispatched(world), world.handler, rating=rating)
        if rating <= 2:
            workflow.perform(ticket, "uphold", world.supervisor, at=MONDAY + timedelta(days=1), note="已按政策解释。")
    unrated = handled(world, dispatched(world), world.handler)
    workflow.perform(unrated, "close_unrated", None, at=MONDAY + timedelta(days=9))
    db.session.commit()

    edu = refreshed()[world.edu.name]

    assert edu.counts["rated"] == 5 and edu.counts["satisfied"] == 3
    assert edu.value("satisfaction") == pytest.approx(0.6)
    assert edu.counts["closed"] == 6  # the unrated close is closed, and not a rating


def test_resolution_rate_is_the_enterprises_own_answer_over_those_that_answered(world):
    for solved in (True, True, True, False):
        handled(world, dispatched(world), world.handler, rating=4, solved=solved)
    handled(world, dispatched(world), world.handler)  # awaiting rating: no answer yet
    db.session.commit()

    edu = refreshed()[world.edu.name]

    assert (edu.counts["solved"], edu.counts["solved_answered"]) == (3, 4)
    assert edu.value("resolution") == pytest.approx(0.75)


def test_reopen_and_return_rates_count_tickets_over_the_tickets_dispatched(world):
    reopened = handled(world, dispatched(world), world.handler, rating=1)
    workflow.perform(reopened, "reopen", world.supervisor, at=MONDAY + timedelta(days=1), note="请重新办理。")
    returned = dispatched(world)
    workflow.perform(returned, "return", world.handler, at=MONDAY, reason="不属于本单位", basis="职责清单")
    workflow.perform(returned, "reject_return", world.supervisor, at=MONDAY, note="属于教育局职责。")
    workflow.perform(returned, "return", world.handler, at=MONDAY, reason="仍不属于", basis="职责清单")
    workflow.perform(returned, "reject_return", world.supervisor, at=MONDAY, note="仍属于教育局。")
    dispatched(world)
    dispatched(world)
    db.session.commit()

    edu = refreshed()[world.edu.name]

    assert edu.counts["dispatched"] == 4
    assert edu.counts["reopened"] == 1 and edu.value("reopen") == pytest.approx(0.25)
    assert edu.counts["returned"] == 1 and edu.value("return") == pytest.approx(0.25)  # returned twice, one ticket
    assert edu.counts["closed"] == 0 and edu.counts["rated"] == 0  # the reopened ticket's rating was cleared


def test_handling_time_counts_working_days_from_dispatch_to_reply_across_a_holiday(world):
    sync_from_package([2026])
    db.session.commit()
    monday = datetime(2026, 9, 28, 9)
    # Working days after 28 September: 29, 30 September, then 8, 9 October (1-7 October is National Day).
    across = handled(
        world, dispatched(world, at=monday), world.handler, at=monday, reply_at=datetime(2026, 10, 9, 10), rating=5
    )
    same_day = handled(world, dispatched(world, at=monday), world.handler, at=monday, rating=5)
    db.session.commit()

    edu = refreshed(Period("month", 2026, 9))[world.edu.name]

    assert deadlines.working_days_taken(load_calendar(), across.dispatched_at, across.replied_at) == 4
    assert deadlines.working_days_taken(load_calendar(), same_day.dispatched_at, same_day.replied_at) == 0
    assert edu.counts["handling_days"] == 4 and edu.counts["replied"] == 2
    assert edu.value("handling_days") == pytest.approx(2.0) and edu.display("handling_days") == "2.0"


def test_on_time_completion_rate_is_replies_by_the_deadline_over_replies(world):
    on_time = [handled(world, dispatched(world), world.handler) for _ in range(2)]
    # A one-day limit is due on Tuesday evening; replying on Thursday is late.
    late = handled(world, dispatched(world, handle_days=1), world.handler, reply_at=MONDAY + timedelta(days=3))
    extended = dispatched(world, handle_days=1)
    workflow.perform(extended, "sign", world.handler, at=MONDAY)
    workflow.perform(extended, "request_extension", world.handler, at=MONDAY, new_due="2026-03-06", reason="需调查")
    workflow.perform(extended, "grant_extension", world.supervisor, at=MONDAY)
    workflow.perform(extended, "reply", world.handler, at=MONDAY + timedelta(days=3), outcome="resolved", text="已办")
    dispatched(world)  # not replied: outside the rate
    db.session.commit()

    edu = refreshed()[world.edu.name]

    assert late.overdue_at is not None and all(t.overdue_at is None for t in on_time)
    assert (edu.counts["replied_on_time"], edu.counts["replied"]) == (3, 4)
    assert edu.display("on_time_completion") == "75.0%"


def test_received_counts_every_complaint_and_closed_only_finished_handling(world):
    handled(world, dispatched(world), world.handler, rating=5)
    declined = file_ticket(world, at=MONDAY)
    workflow.perform(declined, "decline", world.supervisor, at=MONDAY, reason="litigation")
    file_ticket(world, at=MONDAY)  # waiting for acceptance
    db.session.commit()

    rows = refreshed()

    assert rows[world.edu.name].counts["received"] == 1 and rows[world.edu.name].counts["closed"] == 1
    waiting = next(r for r in rows.values() if r.key == NO_UNIT)
    assert waiting.counts["received"] == 2 and waiting.counts["closed"] == 0 and waiting.counts["accepted"] == 0
    assert reports.table(MARCH).total.counts["received"] == 3


def test_open_overdue_counts_running_clocks_past_their_deadline_and_splits_warning_colours(world):
    four_days = [dispatched(world, handle_days=4) for _ in range(3)]  # due Friday 6 March, 23:59:59
    for ticket in four_days:
        workflow.perform(ticket, "sign", world.handler, at=MONDAY)
    workflow.perform(four_days[2], "request_material", world.handler, at=MONDAY, note="请补充材料")  # paused
    long_limit = dispatched(world, handle_days=20)  # due Monday 30 March
    db.session.commit()

    cells.refresh_dirty(datetime(2026, 3, 9, 9))
    cell = db.session.get(StatsCell, (date(2026, 3, 1), world.edu.id, world.schooling.id))
    assert cell.open_overdue == 2

    # Monday 9 March: one working day late, orange; Tuesday: two, red for a 4-day limit (half of it);
    # 8 April: the 20-day limit is seven working days late, red.
    cal = load_calendar()
    seen = set()
    for moment in (datetime(2026, 3, 9, 9), datetime(2026, 3, 10, 9), datetime(2026, 4, 8, 9)):
        cells.refresh_all(moment)  # as the alerts' events make the cells be recomputed
        rows = {r.unit_id: r for r in reports.open_overdue_by_unit()}
        expected = {"orange": 0, "red": 0}
        for ticket in (*four_days[:2], long_limit):
            if ticket.handle_due < moment:
                expected[deadlines.warning_level(cal, ticket.handle_due, ticket.handle_days, moment)] += 1
        assert (rows[world.edu.id].orange, rows[world.edu.id].red) == (expected["orange"], expected["red"])
        seen |= {colour for colour, n in expected.items() if n}
    assert seen == {"orange", "red"}
    cells.refresh_all(datetime(2026, 3, 6, 12))
    assert reports.open_overdue_by_unit() == []


@pytest.mark.parametrize("handle_days", [1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 30])
def test_the_red_split_in_sql_agrees_with_the_warning_rule(world, handle_days):
    sync_from_package([2026])
    db.session.commit()
    ticket = dispatched(world, at=datetime(2026, 9, 21, 9), handle_days=handle_days)
    workflow.perform(ticket, "sign", world.handler, at=datetime(2026, 9, 21, 10))
    db.session.commit()
    cal = load_calendar()
    moment = ticket.handle_due + timedelta(minutes=1)
    while moment < ticket.handle_due + timedelta(days=30):
        cells.refresh_all(moment)
        rows = reports.open_overdue_by_unit()
        colour = "red" if rows[0].red else "orange"
        assert colour == deadlines.warning_level(cal, ticket.handle_due, handle_days, moment), moment
        moment += timedelta(hours=13)


def test_the_working_day_counter_agrees_with_the_calendar():
    from supervise.domain.calendar import WorkingCalendar

    cal = WorkingCalendar({date(2026, 10, day): False for day in range(1, 8)} | {date(2026, 10, 10): True})
    counter = cells.WorkingDayCounter(cal)
    rng = random.Random(4)
    for _ in range(300):
        start = datetime(2026, 9, 1) + timedelta(hours=rng.randrange(24 * 90))
        end = start + timedelta(hours=rng.randrange(-24 * 10, 24 * 60))
        assert counter.taken(start, end) == deadlines.working_days_taken(cal, start, end)


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(
    "text, kind, start, end",
    [
        ("2026-11", "month", date(2026, 11, 1), date(2026, 12, 1)),
        ("2026-12", "month", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026-3", "month", date(2026, 3, 1), date(2026, 4, 1)),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026-q1", "quarter", date(2026, 1, 1), date(2026, 4, 1)),
        ("2026", "year", date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_a_period_is_read_from_its_url_form(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert parse_period(period.value) == period


@pytest.mark.parametrize(
    "text", ["", None, "2026-13", "2026-00", "2026-Q5", "26", "1999", "abc", "2026-11-01", "2026-Q", "９９９９"]
)
def test_anything_else_is_not_a_period(text):
    assert parse_period(text) is None


def test_periods_step_and_contain_days():
    assert Period.containing(date(2026, 11, 23), "quarter") == Period("quarter", 2026, 4)
    assert Period("quarter", 2026, 4).shift(1) == Period("quarter", 2027, 1)
    assert Period("month", 2026, 1).shift(-1) == Period("month", 2025, 12)
    assert Period("quarter", 2026, 4).months == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]


# ---------------------------------------------------------------- tables, ranking, trend, headline


def test_the_ranking_lists_only_units_with_at_least_five_tickets_in_the_period(world):
    for _ in range(5):
        handled(world, dispatched(world), world.handler, rating=5)
    for rating in (5, 5, 5, 2, 1):
        handled(world, dispatched(world, world.hiring), world.hr_handler, rating=rating)
    for _ in range(4):
        dispatched(world, world.misc, unit_id=world.street.id)
    dispatched(world, world.hiring, at=datetime(2026, 4, 1, 9))  # another month: not in March
    db.session.commit()
    refreshed()

    ranked, too_few = reports.ranking(MARCH)

    assert [(r.rank, r.row.name) for r in ranked] == [(1, world.edu.name), (2, world.hr.name)]
    assert too_few == 1  # the street office: 4 complaints
    assert ranked[1].row.value("satisfaction") == pytest.approx(0.6)
    quarter, _ = reports.ranking(Period("quarter", 2026, 1))
    assert [r.row.name for r in quarter] == [world.edu.name, world.hr.name]


def test_units_with_equal_rates_share_a_rank(world):
    for category, handler in ((world.schooling, world.handler), (world.hiring, world.hr_handler)):
        for _ in range(5):
            handled(world, dispatched(world, category), handler, rating=4)
    db.session.commit()
    refreshed()

    ranked, _ = reports.ranking(MARCH)

    assert [r.rank for r in ranked] == [1, 1]


def test_tables_group_by_unit_area_or_category_and_add_up_to_the_same_totals(world):
    handled(world, dispatched(world), world.handler, rating=5)
    handled(world, dispatched(world, world.hiring), world.hr_handler, rating=2)
    dispatched(world, world.hiring, at=datetime(2026, 5, 6, 9))
    db.session.commit()
    cells.refresh_dirty(datetime(2026, 6, 1))

    by_unit = reports.table(Period("quarter", 2026, 1), "unit")
    by_area = reports.table(Period("quarter", 2026, 1), "area")
    by_category = reports.table(Period("year", 2026), "category")

    assert {r.name for r in by_unit.rows} == {world.edu.name, world.hr.name}
    assert [r.name for r in by_area.rows] == [world.public_services.name]
    assert by_area.rows[0].counts == by_unit.total.counts
    assert {r.name: r.counts["received"] for r in by_category.rows} == {
        "公共服务 / 子女入学": 1,
        "公共服务 / 员工招聘": 2,
    }
    assert by_category.total.counts["received"] == 3 and by_unit.total.value("satisfaction") == 0.5


def test_the_monthly_trend_has_every_month_with_received_closed_and_on_time(world):
    handled(world, dispatched(world), world.handler, rating=5)
    dispatched(world, at=datetime(2026, 1, 5, 9))
    dispatched(world, world.hiring, at=datetime(2026, 1, 6, 9))
    db.session.commit()
    cells.refresh_dirty(datetime(2026, 4, 1))

    points = reports.monthly_trend(12, last=date(2026, 3, 31))
    edu_only = reports.monthly_trend(3, unit_id=world.edu.id, last=date(2026, 3, 1))
    hiring_area = reports.monthly_trend(3, category_id=world.public_services.id, last=date(2026, 3, 1))

    assert len(points) == 12 and points[0].month == date(2025, 4, 1) and points[-1].month == date(2026, 3, 1)
    assert [(p.received, p.closed) for p in points[-3:]] == [(2, 0), (0, 0), (1, 1)]
    assert points[-1].on_time_rate == 1.0 and points[-2].on_time_rate is None
    assert [p.received for p in edu_only] == [1, 0, 1]
    assert [p.received for p in hiring_area] == [2, 0, 1]


def test_the_headline_adds_up_all_cells(world):
    ticket = handled(world, dispatched(world), world.handler, rating=1)
    workflow.perform(ticket, "uphold", world.supervisor, at=MONDAY, note="已解释")
    workflow.perform(ticket, "publish", world.supervisor, at=MONDAY, public_title="入学", public_summary="入学难")
    handled(world, dispatched(world, at=datetime(2025, 12, 1, 9)), world.handler, at=datetime(2025, 12, 1, 9), rating=5)
    file_ticket(world, at=MONDAY)
    db.session.commit()
    cells.refresh_dirty(MONDAY)

    assert reports.headline() == {"received": 3, "closed": 2, "published": 1, "satisfaction_rate": 0.5}


# ---------------------------------------------------------------- keeping the cells up to date


def _cells() -> dict:
    return {
        (c.month, c.unit_id, c.category_id): {k: getattr(c, k) for k in definitions.COUNTERS}
        for c in db.session.scalars(select(StatsCell))
    }


def _dirty() -> set:
    return {(d.month, d.unit_id, d.category_id) for d in db.session.scalars(select(StatsDirty))}


@pytest.mark.committed  # another connection reads the commit
def test_a_dirty_mark_is_written_in_the_same_transaction_as_the_event(world):
    ticket = file_ticket(world, at=MONDAY)
    db.session.commit()
    waiting = (date(2026, 3, 1), NO_UNIT, world.schooling.id)
    assert _dirty() == {waiting}  # the submission marked its cell
    cells.refresh_dirty(MONDAY)
    db.session.commit()
    assert _dirty() == set()

    workflow.perform(ticket, "accept", world.supervisor, at=MONDAY)
    edu_cell = (date(2026, 3, 1), world.edu.id, world.schooling.id)
    assert _dirty() == {waiting, edu_cell}  # before any commit, in the session's transaction
    db.session.rollback()
    assert _dirty() == set() and db.session.get(Ticket, ticket.id).state == State.SUBMITTED

    ticket = db.session.get(Ticket, ticket.id)
    workflow.perform(ticket, "accept", world.supervisor, at=MONDAY)
    db.session.commit()
    with db.engine.connect() as other:
        assert other.execute(text("SELECT count(*) FROM stats_dirty")).scalar() == 2


def test_a_redispatch_moves_the_ticket_from_one_units_cell_to_the_other(world):
    ticket = dispatched(world)
    db.session.commit()
    cells.refresh_dirty(MONDAY)
    db.session.commit()
    assert refreshed()[world.edu.name].counts["received"] == 1

    workflow.perform(ticket, "return", world.handler, at=MONDAY, reason="不属于本单位", basis="职责清单")
    workflow.perform(ticket, "dispatch", world.supervisor, at=MONDAY, unit_id=world.hr.id)
    db.session.commit()
    assert _dirty() == {
        (date(2026, 3, 1), world.edu.id, world.schooling.id),
        (date(2026, 3, 1), world.hr.id, world.schooling.id),
    }

    rows = refreshed()
    assert world.edu.name not in rows
    assert rows[world.hr.name].counts["received"] == 1 and rows[world.hr.name].counts["returned"] == 1
    assert db.session.get(StatsCell, (date(2026, 3, 1), world.edu.id, world.schooling.id)) is None


def test_refreshing_is_idempotent_and_the_full_pass_agrees_with_the_incremental_one(world):
    handled(world, dispatched(world), world.handler, rating=5)
    handled(
        world,
        dispatched(world, world.hiring, at=datetime(2026, 2, 3, 9)),
        world.hr_handler,
        at=datetime(2026, 2, 3, 9),
        rating=2,
    )
    late = dispatched(world, handle_days=1)
    workflow.perform(late, "sign", world.handler, at=MONDAY)
    file_ticket(world, world.misc, at=MONDAY)
    db.session.commit()
    at = datetime(2026, 3, 10, 9)

    # Five cells marked: three with tickets, and the two "not yet dispatched" cells the accepted tickets left.
    assert cells.refresh_dirty(at) == 5
    db.session.commit()
    incremental = _cells()
    assert len(incremental) == 3
    assert cells.refresh_dirty(at) == 0
    assert cells.refresh_all(at) == 3
    db.session.commit()
    assert _cells() == incremental
    assert cells.refresh_all(at) == 3
    db.session.commit()
    assert _cells() == incremental
    assert incremental[(date(2026, 3, 1), world.edu.id, world.schooling.id)]["open_overdue"] == 1


def test_the_full_pass_removes_cells_left_without_tickets(world):
    dispatched(world)
    db.session.commit()
    cells.refresh_all(MONDAY)
    db.session.add(
        StatsCell(
            month=date(2025, 1, 1), unit_id=world.hr.id, category_id=world.hiring.id, received=9, refreshed_at=MONDAY
        )
    )
    db.session.commit()

    cells.refresh_all(MONDAY)
    db.session.commit()

    assert list(_cells()) == [(date(2026, 3, 1), world.edu.id, world.schooling.id)]


def test_the_minute_job_recomputes_dirty_cells_and_the_nightly_job_all_cells(world):
    handled(world, dispatched(world), world.handler, rating=5)
    db.session.commit()
    with frozen(datetime(2026, 3, 3, 9)):
        summary = periodic.refresh_measures()
    assert summary == "cells 2" and _dirty() == set()
    assert db.session.scalar(select(func.sum(StatsCell.received))) == 1

    db.session.add(
        StatsCell(
            month=date(2025, 1, 1), unit_id=world.hr.id, category_id=world.hiring.id, received=9, refreshed_at=MONDAY
        )
    )
    db.session.commit()
    with frozen(datetime(2026, 3, 4, 2, 30)):
        periodic.nightly_refresh()
    assert db.session.scalar(select(func.sum(StatsCell.received))) == 1


def test_a_unit_changed_twice_before_a_refresh_leaves_no_stale_cell(world):
    ticket = dispatched(world)
    db.session.commit()
    cells.refresh_dirty(MONDAY)
    db.session.commit()
    for unit in (world.hr, world.street):
        workflow.perform(ticket, "dispatch", world.supervisor, at=MONDAY, unit_id=unit.id)
        db.session.flush()
    db.session.commit()

    rows = refreshed()

    assert list(rows) == [world.street.name]
