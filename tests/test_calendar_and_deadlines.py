"""Working days and due dates: weekends, public holidays and make-up working days (调休)."""

from datetime import date, datetime

import pytest

from supervise.domain import deadlines, workflow
from supervise.domain.calendar import WorkingCalendar, load_calendar, package_overrides
from supervise.domain.calendar_admin import set_day, sync_from_package
from supervise.extensions import db
from tests.factories import file_ticket

# 2026 National Day: 1-7 October off; Sunday 20 September and Saturday 10 October are working days.
CAL_2026 = WorkingCalendar({d: w for d, (w, _) in package_overrides([2026]).items()})


def test_weekends_are_off_and_weekdays_on_by_default():
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2026, 11, 23))  # Monday
    assert not cal.is_working_day(date(2026, 11, 22))  # Sunday


def test_the_package_knows_2026_holidays_and_make_up_days():
    assert not CAL_2026.is_working_day(date(2026, 10, 1))
    assert CAL_2026.is_working_day(date(2026, 10, 10))  # a Saturday
    assert CAL_2026.is_working_day(date(2026, 9, 20))  # a Sunday


def test_counting_skips_the_holiday_and_counts_the_make_up_saturday():
    # Wednesday 30 September + 3 working days: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, 调休)
    assert CAL_2026.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CAL_2026.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4


def test_a_due_date_is_the_end_of_the_nth_working_day():
    assert deadlines.due_after(CAL_2026, datetime(2026, 9, 30, 16, 0), 1) == datetime(2026, 10, 8, 23, 59, 59)


def test_zero_days_lands_on_the_next_working_day():
    assert CAL_2026.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 8)


@pytest.mark.parametrize(
    "at, level",
    [
        (datetime(2026, 11, 16, 9), None),  # five working days left
        (datetime(2026, 11, 19, 9), "yellow"),  # two left
        (datetime(2026, 11, 24, 9), "orange"),  # one day late
        (datetime(2026, 11, 30, 9), "red"),  # five working days late
    ],
)
def test_warning_colours_follow_working_days(at, level):
    due = datetime(2026, 11, 23, 23, 59, 59)
    assert deadlines.warning_level(WorkingCalendar(), due, 15, at) == level


def test_red_comes_after_half_the_limit_for_short_limits():
    due = datetime(2026, 11, 23, 23, 59, 59)
    assert deadlines.warning_level(WorkingCalendar(), due, 5, datetime(2026, 11, 25, 9)) == "red"


def test_dispatch_due_dates_cross_national_day_from_the_stored_calendar(world):
    sync_from_package([2026])
    db.session.flush()
    ticket = file_ticket(world, category=world.hiring, at=datetime(2026, 9, 30, 9))
    workflow.perform(ticket, "accept", world.supervisor, at=datetime(2026, 9, 30, 16))
    assert ticket.sign_due == datetime(2026, 10, 8, 23, 59, 59)
    # simple class, 5 working days: 8, 9, 10 (Sat, 调休), 12, 13 October
    assert ticket.handle_due == datetime(2026, 10, 13, 23, 59, 59)


def test_an_administrators_correction_wins(world):
    sync_from_package([2026])
    set_day(date(2026, 10, 10), False, "更正", world.admin)
    db.session.flush()
    assert not load_calendar().is_working_day(date(2026, 10, 10))
    sync_from_package([2026])  # a later sync keeps the correction
    assert not load_calendar().is_working_day(date(2026, 10, 10))


def test_a_limit_within_the_yellow_window_never_shows_yellow():
    due = datetime(2026, 11, 27, 23, 59, 59)  # a Friday
    level = lambda at: deadlines.warning_level(WorkingCalendar(), due, deadlines.ACCEPT_DAYS, at)  # noqa: E731
    assert level(datetime(2026, 11, 26, 9)) is None
    assert level(datetime(2026, 11, 28, 9)) == "orange"  # late, but no working day has passed
    assert level(datetime(2026, 11, 30, 9)) == "red"  # one working day late = half the 2-day limit
