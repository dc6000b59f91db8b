"""Duties that are not tickets: a monthly report due on the 5th moved by a holiday, lateness counted in
working days, and each warning raised and told once per level and deadline."""

from datetime import date, datetime

from sqlalchemy import func, select

from supervise.domain import duties
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.domain.calendar_admin import sync_from_package
from supervise.extensions import db
from supervise.models import DutyAlert, OutboxMessage


def _calendar_2026() -> WorkingCalendar:
    sync_from_package([2026])
    db.session.commit()
    return load_calendar()


def test_a_report_due_on_the_5th_moves_past_the_national_day_holiday(app):
    cal = _calendar_2026()
    assert duties.monthly_report_due(cal, 2026, 10) == date(2026, 10, 8)  # 1–7 October off
    assert duties.monthly_report_due(cal, 2026, 11) == date(2026, 11, 5)  # a Thursday
    assert duties.monthly_report_due(cal, 2026, 12) == date(2026, 12, 7)  # the 5th is a Saturday


def test_a_duty_is_late_by_working_days_and_escalates(app):
    cal = WorkingCalendar()
    due = date(2026, 12, 4)  # a Friday
    assert duties.overdue_level(cal, due, datetime(2026, 12, 4, 23, 0)) is None
    assert duties.overdue_level(cal, due, datetime(2026, 12, 5, 9)) == "yellow"  # Saturday: 1 day late
    assert duties.overdue_level(cal, due, datetime(2026, 12, 7, 9)) == "yellow"  # Monday
    assert duties.overdue_level(cal, due, datetime(2026, 12, 8, 9)) == "orange"
    assert duties.overdue_level(cal, due, datetime(2026, 12, 11, 9)) == "red"


def test_each_warning_is_raised_and_told_once(world):
    cal = WorkingCalendar()
    unit = world.hr_handler.unit
    due = date(2026, 12, 4)

    def warn(at):
        return duties.warn("task", 7, due, at, cal, lambda: ("任务逾期", "请尽快报送"), "/somewhere", unit_id=unit.id)

    assert warn(datetime(2026, 12, 7, 9)) == "yellow"
    assert warn(datetime(2026, 12, 7, 10)) is None
    db.session.commit()
    told = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.channel == "inapp"))
    assert told >= 1
    assert warn(datetime(2026, 12, 11, 9)) == "red"
    assert warn(datetime(2026, 12, 11, 9)) is None
    kinds = db.session.scalars(select(DutyAlert.kind).where(DutyAlert.subject_id == 7).order_by(DutyAlert.id))
    assert list(kinds) == ["yellow", "red"]
    assert duties.resolve("task", 7, due.isoformat(), datetime(2026, 12, 11, 10)) == 2
