"""The responsibility list (指标长): monthly task reports due on the 5th and warned once per level,
escalating; a report resolves them; a task late past its deadline warned; who sees and reports on a
task and who downloads its evidence; the office's board equal to the tasks; indicators kept by the
administrators."""

import io
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from supervise import storage
from supervise.domain import indicator_board, indicators
from supervise.domain.calendar import WorkingCalendar
from supervise.domain.clock import frozen
from supervise.domain.indicator_duties import task_warnings
from supervise.extensions import db
from supervise.models import DutyAlert, Indicator, OutboxMessage, Task, TaskReport, TaskReportFile, TaskState
from tests.factories import PDF_BYTES
from tests.indicator_support import build_list

CAL = WorkingCalendar()  # weekends off: the report of December 2026 is due on Monday the 7th


@pytest.fixture
def listed(world):
    return build_list(world)


def _alerts(task: Task, subject: str = indicators.REPORT_SUBJECT) -> list[tuple[str, bool]]:
    rows = db.session.execute(
        select(DutyAlert.kind, DutyAlert.resolved_at)
        .where(DutyAlert.subject == subject, DutyAlert.subject_id == task.id)
        .order_by(DutyAlert.id)
    )
    return [(kind, resolved is not None) for kind, resolved in rows]


def _told(user) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.user_id == user.id))


def test_the_monthly_report_is_due_on_the_5th_moved_to_the_next_working_day(app):
    assert indicators.report_due(CAL, "2026-12") == date(2026, 12, 7)  # the 5th is a Saturday
    assert indicators.report_due(CAL, "2026-11") == date(2026, 11, 5)


def test_a_missing_report_is_warned_once_per_level_escalating_to_the_chief_and_at_red_the_office(world, listed):
    minor = listed.minor
    assert task_warnings(datetime(2026, 12, 7, 18), CAL) == 0  # due today: not late
    assert task_warnings(datetime(2026, 12, 8, 9), CAL) == 2  # both minor tasks of hr: yellow
    assert task_warnings(datetime(2026, 12, 8, 15), CAL) == 0  # again the same day: nothing new
    assert _alerts(minor) == [("yellow", False)]
    assert _told(world.hr_handler) >= 1 and _told(world.leader) >= 1  # the unit and the indicator's chief
    assert _told(world.supervisor) == 0
    task_warnings(datetime(2026, 12, 9, 9), CAL)
    task_warnings(datetime(2026, 12, 14, 9), CAL)
    task_warnings(datetime(2026, 12, 14, 10), CAL)
    assert _alerts(minor) == [("yellow", False), ("orange", False), ("red", False)]
    assert _told(world.supervisor) >= 1  # red reaches the office
    assert _alerts(listed.major) == []  # a major task with minor tasks does not report itself


def test_no_report_is_owed_in_the_month_the_task_was_listed(world, listed):
    assert task_warnings(datetime(2026, 11, 20, 9), CAL) == 0


def test_a_report_resolves_its_months_warnings_and_is_marked_late(world, listed):
    task_warnings(datetime(2026, 12, 9, 9), CAL)
    report = indicators.submit_report(
        listed.minor, world.hr_handler, "已完成系统对接测试", 60, [], datetime(2026, 12, 9, 11), CAL
    )
    db.session.commit()
    assert report.month == "2026-12" and report.late
    assert _alerts(listed.minor) == [("orange", True)]
    assert task_warnings(datetime(2026, 12, 15, 9), CAL) == 1  # only the other task, still silent
    assert _alerts(listed.minor) == [("orange", True)]


def test_a_report_on_time_is_not_late_and_nothing_is_warned(world, listed):
    indicators.submit_report(listed.minor, world.hr_handler, "按计划推进", 30, [], datetime(2026, 12, 4, 10), CAL)
    task_warnings(datetime(2026, 12, 20, 9), CAL)
    assert _alerts(listed.minor) == []
    assert listed.minor.reports[0].late is False


def test_a_task_past_its_deadline_is_warned_and_a_full_report_finishes_it_and_its_major(world, listed):
    for task in (listed.major, listed.minor, listed.other_minor):
        task.deadline = date(2026, 12, 1)
    db.session.commit()
    task_warnings(datetime(2026, 12, 9, 9), CAL)
    assert _alerts(listed.minor, indicators.DEADLINE_SUBJECT) == [("red", False)]
    at = datetime(2026, 12, 9, 10)
    indicators.submit_report(listed.minor, world.hr_handler, "已全部完成", 100, [], at, CAL)
    assert listed.minor.state == TaskState.DONE and listed.major.state == TaskState.OPEN
    indicators.submit_report(listed.other_minor, world.hr_handler, "已全部完成", 100, [], at, CAL)
    assert listed.major.state == TaskState.DONE
    assert _alerts(listed.minor, indicators.DEADLINE_SUBJECT) == [("red", True)]
    assert _alerts(listed.major, indicators.DEADLINE_SUBJECT) == [("red", True)]
    task_warnings(datetime(2026, 12, 20, 9), CAL)
    assert _alerts(listed.minor) == [("orange", True)]  # resolved by the report; a done task owes no more


def test_progress_cannot_go_back(world, listed):
    indicators.submit_report(listed.minor, world.hr_handler, "过半", 60, [], datetime(2026, 12, 2, 10), CAL)
    with pytest.raises(indicators.ReportRefused):
        indicators.submit_report(listed.minor, world.hr_handler, "回退", 40, [], datetime(2026, 12, 3, 10), CAL)


# ---------------------------------------------------------------- the pages


def _report(client, task_id: int, **fields):
    data = {"text": "已完成需求调研，进入系统开发", "percent": "50", **fields}
    return client.post(f"/unit/indicators/tasks/{task_id}", data=data, content_type="multipart/form-data")


def test_the_responsible_unit_reports_with_evidence(world, listed, login):
    client = login(world.hr_handler)
    with frozen(datetime(2026, 12, 3, 10)):
        page = client.get(f"/unit/indicators/tasks/{listed.minor.id}")
        assert page.status_code == 200 and 'name="percent"' in page.text
        response = _report(client, listed.minor.id, files=[(io.BytesIO(PDF_BYTES), "就业服务一件事上线截图.pdf")])
    assert response.status_code == 302
    report = db.session.scalar(select(TaskReport).where(TaskReport.task_id == listed.minor.id))
    assert report.percent == 50 and not report.late
    assert [f.filename for f in report.files] == ["就业服务一件事上线截图.pdf"]
    page = client.get(f"/unit/indicators/tasks/{listed.minor.id}")
    assert "就业服务一件事上线截图.pdf" in page.text
    assert client.get(f"/unit/indicators/files/{report.files[0].id}").data == PDF_BYTES


def test_a_file_that_is_no_document_is_refused_and_nothing_is_saved(world, listed, login):
    client = login(world.hr_handler)
    response = _report(client, listed.minor.id, files=[(io.BytesIO(b"#!/bin/sh\nrm -rf /\n"), "run.sh")])
    assert response.status_code == 200 and "run.sh" in response.text
    assert db.session.scalar(select(func.count()).select_from(TaskReport)) == 0


def test_a_unit_cannot_report_on_another_units_task(world, listed, login):
    client = login(world.handler)  # the education bureau: not responsible, not co-operating
    assert client.get(f"/unit/indicators/tasks/{listed.minor.id}").status_code == 403
    assert _report(client, listed.minor.id).status_code == 403
    assert client.get("/unit/indicators/tasks/999999").status_code == 404


def test_a_co_operating_unit_sees_the_task_but_does_not_report(world, listed, login):
    client = login(listed.street_handler)
    page = client.get(f"/unit/indicators/tasks/{listed.minor.id}")
    assert page.status_code == 200 and 'name="percent"' not in page.text
    assert _report(client, listed.minor.id).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(TaskReport)) == 0


def test_evidence_downloads_go_to_the_office_the_chief_and_the_tasks_units_only(world, listed, login, client):
    indicators.submit_report(listed.minor, world.hr_handler, "完成", 40, [], datetime(2026, 12, 2, 10), CAL)
    upload = storage.check_upload(FileStorage(io.BytesIO(PDF_BYTES), filename="佐证.pdf"))
    report = listed.minor.reports[0]
    report.files.append(
        TaskReportFile(
            filename=upload.filename,
            stored_name=storage.write(upload),
            content_type=upload.content_type,
            size=upload.size,
        )
    )
    db.session.commit()
    url = f"/unit/indicators/files/{report.files[0].id}"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, status in [
        (world.supervisor, 200),
        (world.leader, 200),  # the indicator's chief (of another unit)
        (world.hr_handler, 200),
        (listed.street_handler, 200),  # co-operating
        (world.handler, 403),  # the chief's unit is not the task's
        (world.enterprise_user, 403),
        (world.admin, 403),
    ]:
        assert login(user).get(url).status_code == status, user.username


def test_the_chief_sees_the_tasks_of_his_indicators(world, listed, login):
    with frozen(datetime(2026, 12, 3, 10)):
        page = login(world.leader).get("/unit/indicators")
    assert page.status_code == 200
    assert "推进就业服务" in page.text and "开展春风行动专项招聘" not in page.text.split('id="own"')[0]


def test_the_unit_sees_its_own_tasks_and_not_others(world, listed, login):
    with frozen(datetime(2026, 12, 3, 10)):
        page = login(listed.street_handler).get("/unit/indicators")
    assert "推进就业服务" in page.text and "开展春风行动专项招聘" not in page.text


def test_the_board_figures_equal_the_tasks(world, listed, login):
    listed.other_minor.deadline = date(2026, 11, 30)
    db.session.commit()
    indicators.submit_report(listed.minor, world.hr_handler, "全部完成", 100, [], datetime(2026, 12, 2, 10), CAL)
    task_warnings(datetime(2026, 12, 14, 9), CAL)  # other_minor: report and deadline late, red
    db.session.commit()
    board = indicator_board.board(2026, date(2026, 12, 14))
    tasks = list(db.session.scalars(select(Task)))
    for row in board.rows:
        mine = [t for t in tasks if t.indicator_id == row.indicator.id]
        reporting = [t for t in mine if indicators.owes_reports(t)]
        assert row.tasks == len(mine)
        assert row.done == sum(t.state == TaskState.DONE for t in mine)
        assert row.overdue == sum(t.state == TaskState.OPEN and t.deadline < date(2026, 12, 14) for t in mine)
        assert row.progress == (round(sum(t.progress for t in reporting) / len(reporting)) if reporting else 0)
    assert [t.id for t in board.red_items] == [listed.other_minor.id]
    hiring = next(r for r in board.rows if r.indicator.id == listed.hiring.id)
    assert (hiring.tasks, hiring.overdue, hiring.red) == (1, 1, 1)
    with frozen(datetime(2026, 12, 14, 10)):
        page = login(world.supervisor).get("/console/indicators?year=2026")
    assert page.status_code == 200 and "开展春风行动专项招聘" in page.text
    assert login(world.hr_handler).get("/console/indicators").status_code == 403


def test_administrators_keep_the_indicators(world, login):
    client = login(world.admin)
    response = client.post(
        "/admin/indicators/new",
        data={
            "code": "ZB03",
            "name": "获得电力",
            "lead_unit_id": world.hr.id,
            "chief_id": world.leader.id,
            "last_score": "81.5",
            "target_score": "86",
            "sort": "3",
            "active": "y",
        },
    )
    assert response.status_code == 302
    found = db.session.scalar(select(Indicator).where(Indicator.code == "ZB03"))
    assert (found.name, found.chief_id, found.last_score) == ("获得电力", world.leader.id, 81.5)
    again = client.post("/admin/indicators/new", data={"code": "ZB03", "name": "获得用水用气", "sort": "4"})
    assert again.status_code == 200
    assert "获得电力" in client.get("/admin/indicators").text
    assert login(world.supervisor).get("/admin/indicators").status_code == 403
