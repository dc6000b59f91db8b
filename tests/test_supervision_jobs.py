"""Periodic supervision: warnings at working-day boundaries, each once; reminders; the unrated close."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from supervise.domain import workflow
from supervise.domain.calendar_admin import sync_from_package
from supervise.domain.clock import frozen
from supervise.extensions import db
from supervise.jobs import periodic
from supervise.jobs.schedule import SCHEDULE
from supervise.models import JobRun, OutboxMessage, State, TicketAlert
from tests.factories import advance, file_ticket


def _alerts(ticket) -> list[str]:
    return [e.action for e in ticket.events if e.action.startswith("alert_")]


@pytest.fixture
def ticket_due_after_national_day(world):
    """Dispatched Monday 28 September 2026 on a simple (5 working day) limit.

    Working days: 29 and 30 September, then 8, 9 and 10 October (a Saturday, 调休): due 10 October.
    """
    sync_from_package([2026])
    db.session.commit()
    ticket = file_ticket(world, category=world.hiring, at=datetime(2026, 9, 28, 9))
    workflow.perform(ticket, "accept", world.supervisor, at=datetime(2026, 9, 28, 10))
    workflow.perform(ticket, "sign", world.hr_handler, at=datetime(2026, 9, 28, 11))
    db.session.commit()
    assert ticket.handle_due == datetime(2026, 10, 10, 23, 59, 59)
    return ticket


def _run_deadlines_at(moment: datetime, times: int = 1) -> None:
    with frozen(moment):
        for _ in range(times):
            periodic.supervise_deadlines()


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(2026, 9, 30, 9), []),  # three working days left: 8, 9, 10 October
        (datetime(2026, 10, 5, 9), []),  # in the holiday: still three working days left
        (datetime(2026, 10, 8, 9), ["alert_yellow"]),  # two left
        (datetime(2026, 10, 11, 9), ["alert_orange"]),  # Sunday after the due Saturday: overdue
        (datetime(2026, 10, 12, 9), ["alert_orange"]),  # one working day late
        (datetime(2026, 10, 13, 9), ["alert_red"]),  # two working days late = half the 5-day limit
    ],
)
def test_warnings_fire_at_the_working_day_boundaries(ticket_due_after_national_day, moment, expected):
    _run_deadlines_at(moment)
    db.session.refresh(ticket_due_after_national_day)
    assert _alerts(ticket_due_after_national_day) == expected


def test_each_warning_is_recorded_once_however_often_the_schedule_runs(ticket_due_after_national_day, world):
    ticket = ticket_due_after_national_day
    for moment in (
        datetime(2026, 10, 8, 9),
        datetime(2026, 10, 9, 9),
        datetime(2026, 10, 12, 9),
        datetime(2026, 10, 13, 9),
        datetime(2026, 10, 20, 9),
    ):
        _run_deadlines_at(moment, times=3)
    db.session.refresh(ticket)
    assert _alerts(ticket) == ["alert_yellow", "alert_orange", "alert_red"]
    assert ticket.overdue_at == ticket.handle_due
    kinds = db.session.scalars(select(TicketAlert.kind).where(TicketAlert.ticket_id == ticket.id)).all()
    assert sorted(kinds) == ["orange", "red", "yellow"]


def test_escalation_reaches_handler_then_leader_then_supervisor(ticket_due_after_national_day, world):
    hr_leader = world.hr_handler.__class__(
        username="hr_leader", name="人社局长", role=world.leader.role, unit=world.hr, password_hash="x"
    )
    db.session.add(hr_leader)
    db.session.commit()
    ticket = ticket_due_after_national_day

    def told(action: str) -> set[int]:
        event = next(e for e in ticket.events if e.action == action)
        return {
            m.user_id
            for m in db.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.dedupe_key.like(f"e{event.id}:%"), OutboxMessage.channel == "inapp"
                )
            )
        }

    for moment in (datetime(2026, 10, 8, 9), datetime(2026, 10, 11, 9), datetime(2026, 10, 13, 9)):
        _run_deadlines_at(moment)
    db.session.refresh(ticket)
    assert told("alert_yellow") == {world.hr_handler.id}
    assert told("alert_orange") == {world.hr_handler.id, hr_leader.id}
    assert told("alert_red") == {world.hr_handler.id, hr_leader.id, world.supervisor.id}


def test_an_extension_moves_the_warnings_to_the_new_deadline(ticket_due_after_national_day, world):
    ticket = ticket_due_after_national_day
    _run_deadlines_at(datetime(2026, 10, 8, 9))
    with frozen(datetime(2026, 10, 8, 10)):
        workflow.perform(ticket, "request_extension", world.hr_handler, new_due="2026-10-23", reason="需现场核查")
        workflow.perform(ticket, "grant_extension", world.supervisor)
    db.session.commit()
    _run_deadlines_at(datetime(2026, 10, 12, 9))  # the old deadline has passed, the new one has not
    _run_deadlines_at(datetime(2026, 10, 21, 9))  # two working days before 23 October
    db.session.refresh(ticket)
    assert _alerts(ticket) == ["alert_yellow", "alert_yellow"]


def test_a_paused_clock_raises_no_warning(ticket_due_after_national_day, world):
    ticket = ticket_due_after_national_day
    with frozen(datetime(2026, 9, 29, 9)):
        workflow.perform(ticket, "request_material", world.hr_handler, note="请补充招聘岗位清单")
    db.session.commit()
    _run_deadlines_at(datetime(2026, 10, 13, 9))
    db.session.refresh(ticket)
    assert _alerts(ticket) == []


def test_late_signing_and_late_acceptance_are_alerted_once(world):
    sync_from_package([2026])
    late_accept = file_ticket(world, at=datetime(2026, 11, 2, 9))  # due end of Wednesday 4 November
    signing = file_ticket(world, at=datetime(2026, 11, 2, 9))
    workflow.perform(signing, "accept", world.supervisor, at=datetime(2026, 11, 2, 10))  # sign by 3 November
    db.session.commit()
    _run_deadlines_at(datetime(2026, 11, 3, 12))
    assert _alerts(late_accept) == [] and _alerts(signing) == []
    _run_deadlines_at(datetime(2026, 11, 5, 9), times=2)
    db.session.refresh(late_accept)
    db.session.refresh(signing)
    assert _alerts(late_accept) == ["alert_accept_overdue"]
    assert _alerts(signing) == ["alert_sign_overdue"]


def test_an_unanswered_supervision_order_is_alerted_after_its_deadline(world):
    ticket = advance(
        world, file_ticket(world, at=datetime(2026, 11, 2, 9)), State.IN_PROGRESS, at=datetime(2026, 11, 2, 10)
    )
    workflow.perform(
        ticket,
        "issue_order",
        world.supervisor,
        at=datetime(2026, 11, 2, 11),
        level="key",
        deadline=date(2026, 11, 6),
        note="请三日内报告办理情况",
    )
    db.session.commit()
    _run_deadlines_at(datetime(2026, 11, 6, 18))
    assert "alert_order_overdue" not in _alerts(ticket)
    _run_deadlines_at(datetime(2026, 11, 7, 9), times=2)
    db.session.refresh(ticket)
    assert _alerts(ticket).count("alert_order_overdue") == 1


def test_monthly_progress_reminder_on_the_fifth_and_who_reported(world):
    ticket = advance(
        world, file_ticket(world, at=datetime(2026, 9, 1, 9)), State.IN_PROGRESS, at=datetime(2026, 9, 1, 10)
    )
    db.session.commit()
    with frozen(datetime(2026, 10, 4, 9)):
        periodic.monthly_reports()
    assert _alerts(ticket) == []  # before the 5th
    for day in (5, 6, 20):
        with frozen(datetime(2026, 10, day, 9)):
            periodic.monthly_reports()
    db.session.refresh(ticket)
    assert _alerts(ticket) == ["alert_monthly_report"]
    workflow.perform(ticket, "note", world.handler, at=datetime(2026, 10, 9, 15), note="已协调两所学校，正在核实学位")
    db.session.commit()
    alert = db.session.scalar(select(TicketAlert).where(TicketAlert.kind == "monthly_report"))
    assert alert.due_key == "2026-10" and alert.resolved_by_id == world.handler.id
    with frozen(datetime(2026, 11, 5, 9)):
        periodic.monthly_reports()
    db.session.refresh(ticket)
    assert _alerts(ticket) == ["alert_monthly_report", "alert_monthly_report"]  # November's


def test_rating_reminder_then_unrated_close_after_seven_days(world):
    ticket = advance(
        world, file_ticket(world, at=datetime(2026, 11, 2, 9)), State.AWAITING_RATING, at=datetime(2026, 11, 2, 10)
    )
    db.session.commit()
    assert ticket.rate_due == datetime(2026, 11, 9, 23, 59, 59)
    for moment in (datetime(2026, 11, 6, 9), datetime(2026, 11, 8, 9), datetime(2026, 11, 9, 9)):
        with frozen(moment):
            periodic.ratings()
    db.session.refresh(ticket)
    assert ticket.state == State.AWAITING_RATING
    assert _alerts(ticket) == ["alert_rating_reminder"]
    with frozen(datetime(2026, 11, 10, 0, 30)):
        periodic.ratings()
        periodic.ratings()
    db.session.refresh(ticket)
    assert ticket.state == State.CLOSED and ticket.events[-1].action == "close_unrated"


def test_every_periodic_job_records_its_run(world):
    for entry in SCHEDULE:
        entry.func()
    runs = db.session.scalars(select(JobRun)).all()
    assert {r.name for r in runs} == {e.name for e in SCHEDULE}
    assert all(r.ok and r.finished_at for r in runs)
