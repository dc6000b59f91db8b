"""Next year's calendar: a missing schedule is announced, due dates in a year without one are
provisional (暂定), and a change to the calendar moves the open tickets' due dates, with a timeline
event and a notice to the unit, through an idempotent job."""

from datetime import date, datetime

from sqlalchemy import func, select

from supervise.domain import workflow
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.domain.calendar_admin import sync_from_package
from supervise.domain.clock import frozen
from supervise.extensions import db
from supervise.jobs.calendar import apply_calendar_changes
from supervise.models import CalendarChange, CalendarDay, OutboxMessage, State, Ticket, TicketEvent
from tests.factories import advance, file_ticket

DECEMBER = datetime(2026, 12, 4, 10)  # a Friday; 2027 has no official schedule yet
# Accepted Friday 18 December 2026: 15 working days counting 1 January 2027 as a working day.
ACCEPTED = datetime(2026, 12, 18, 9)
DUE_WITHOUT_HOLIDAY = datetime(2027, 1, 8, 23, 59, 59)
DUE_WITH_HOLIDAY = datetime(2027, 1, 11, 23, 59, 59)
CHANGED = datetime(2026, 12, 21, 10)  # the administrator enters 2027's first holiday


def _page(response) -> str:
    return response.get_data(as_text=True)


def _ticket_due_in_january(world) -> Ticket:
    sync_from_package([2026])
    ticket = file_ticket(world, at=ACCEPTED)
    workflow.perform(ticket, "accept", world.supervisor, at=ACCEPTED)
    db.session.commit()
    assert ticket.handle_due == DUE_WITHOUT_HOLIDAY
    return ticket


def _add_holiday(login, world, day: str = "2027-01-01", name: str = "元旦", at: datetime = CHANGED):
    with frozen(at):
        return login(world.admin).post(
            "/admin/calendar", data={"day": day, "is_workday": "0", "name": name}, follow_redirects=True
        )


def test_a_year_with_no_holiday_stored_is_unscheduled_and_its_dates_provisional():
    cal = WorkingCalendar({date(2026, 10, 1): False})
    assert cal.is_working_day(date(2027, 1, 1))
    assert cal.is_provisional(datetime(2027, 1, 8, 23, 59, 59))
    assert not cal.is_provisional(date(2026, 12, 31))
    assert cal.next_year_missing(date(2026, 11, 1)) == 2027
    assert cal.next_year_missing(date(2026, 10, 31)) is None
    assert WorkingCalendar({date(2027, 1, 1): False}).next_year_missing(date(2026, 12, 4)) is None


def test_the_package_s_holidays_are_stored_in_chinese(world):
    sync_from_package([2026])
    names = set(db.session.scalars(select(CalendarDay.name).where(CalendarDay.day >= date(2026, 1, 1))))
    assert {"元旦", "春节", "国庆节"} <= names
    assert not any(name.isascii() for name in names)


def test_from_november_administrators_and_supervisors_see_next_year_is_missing(world, login, client):
    sync_from_package([2026])
    db.session.commit()
    with frozen(DECEMBER):
        assert "The official holiday schedule of 2027 is not entered yet" in _page(login(world.admin).get("/admin/"))
        assert "The official holiday schedule of 2027 is not entered yet" in _page(
            login(world.supervisor).get("/console/")
        )
    with frozen(datetime(2026, 10, 15, 10)):
        assert "is not entered yet" not in _page(login(world.admin).get("/admin/"))
    _add_holiday(login, world)
    with frozen(DECEMBER):
        assert "is not entered yet" not in _page(login(world.supervisor).get("/console/"))


def test_a_due_date_in_an_unscheduled_year_is_marked_provisional_for_staff_and_enterprise(world, login):
    ticket = _ticket_due_in_january(world)
    with frozen(DECEMBER):
        assert "provisional" in _page(login(world.handler).get(f"/unit/tickets/{ticket.id}"))
        assert "provisional" in _page(login(world.handler).get("/unit/"))
        assert "provisional" in _page(login(world.supervisor).get(f"/console/tickets/{ticket.id}"))
        assert "provisional" in _page(login(world.enterprise_user).get(f"/my/tickets/{ticket.id}"))
        assert "provisional" in _page(login(world.enterprise_user).get("/my/"))
    _add_holiday(login, world)
    with frozen(DECEMBER):
        assert "provisional" not in _page(login(world.handler).get(f"/unit/tickets/{ticket.id}"))


def test_a_new_holiday_moves_the_open_tickets_due_date_with_an_event_and_a_notice(world, login):
    ticket = _ticket_due_in_january(world)
    page = _page(_add_holiday(login, world))
    assert "The due dates of the open tickets follow the change." in page
    db.session.refresh(ticket)
    assert ticket.handle_due == DUE_WITH_HOLIDAY
    event = db.session.scalars(select(TicketEvent).where(TicketEvent.action == "due_moved")).one()
    assert event.ticket_id == ticket.id and event.public
    assert "The handling deadline moved from " in event.note
    notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id)).all()
    told = {m.user_id for m in notices if m.channel == "inapp" and "The handling deadline moved" in m.body}
    assert told == {world.handler.id, world.leader.id}
    with frozen(DECEMBER):
        page = _page(login(world.handler).get(f"/unit/tickets/{ticket.id}"))
    assert "Due date adjusted for the holiday calendar" in page


def test_the_job_is_idempotent_and_a_removed_holiday_moves_the_date_back(world, login):
    ticket = _ticket_due_in_january(world)
    _add_holiday(login, world)
    change_id = db.session.scalar(select(func.max(CalendarChange.id)))
    assert apply_calendar_changes(change_id) == 0  # run again: nothing moves twice
    db.session.refresh(ticket)
    assert ticket.handle_due == DUE_WITH_HOLIDAY
    with frozen(CHANGED):
        login(world.admin).post("/admin/calendar/clear", data={"day": "2027-01-01"})
    db.session.refresh(ticket)
    assert ticket.handle_due == DUE_WITHOUT_HOLIDAY
    assert db.session.scalar(select(func.count()).where(TicketEvent.action == "due_moved")) == 2


def test_only_open_tickets_with_a_due_date_after_the_changed_day_move(world, login):
    sync_from_package([2026])
    early = file_ticket(world, at=datetime(2026, 12, 1, 9))
    workflow.perform(early, "accept", world.supervisor, at=datetime(2026, 12, 1, 9))  # due 21 December
    closed = file_ticket(world, at=ACCEPTED)
    advance(world, closed, State.CLOSED, at=ACCEPTED)
    db.session.commit()
    before = (early.handle_due, closed.handle_due)
    _add_holiday(login, world)
    db.session.refresh(early)
    db.session.refresh(closed)
    assert (early.handle_due, closed.handle_due) == before
    assert db.session.scalar(select(func.count()).where(TicketEvent.action == "due_moved")) == 0


def test_a_make_up_working_day_brings_a_due_date_forward(world, login):
    ticket = _ticket_due_in_january(world)
    with frozen(CHANGED):
        login(world.admin).post("/admin/calendar", data={"day": "2027-01-02", "is_workday": "1", "name": "调休"})
    db.session.refresh(ticket)
    assert ticket.handle_due == datetime(2027, 1, 7, 23, 59, 59)
    assert load_calendar().is_working_day(date(2027, 1, 2))


def test_a_refused_extension_shows_no_new_date_on_the_timeline(world, login):
    ticket = _ticket_due_in_january(world)
    workflow.perform(ticket, "sign", world.handler, at=ACCEPTED)
    workflow.perform(
        ticket, "request_extension", world.handler, at=ACCEPTED, new_due=date(2027, 1, 29), reason="需要会商"
    )
    workflow.perform(ticket, "refuse_extension", world.supervisor, at=ACCEPTED, note="期限足够")
    db.session.commit()
    refused = ticket.events[-1]
    assert refused.action == "refuse_extension" and not refused.data
    with frozen(DECEMBER):
        page = _page(login(world.supervisor).get(f"/console/tickets/{ticket.id}"))
    timeline = page[page.index("Extension refused") :]
    assert "New due date" not in timeline[:400]
