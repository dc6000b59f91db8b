"""Key projects (重点项目): the monthly report due on the 5th by the calendar, late reports and
milestones warned once per level and resolved, blockers followed up as tickets and supervision
orders, the figures per unit, and the monthly digest read back."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from docx import Document
from sqlalchemy import select

from supervise.domain import workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.calendar_admin import sync_from_package
from supervise.domain.projects import ProjectError, ProjectSpec, blockers, digest, figures, register, reports
from supervise.extensions import db
from supervise.models import DutyAlert, OutboxMessage, Role, State
from supervise.models.project import Blocker
from tests.factories import advance, make_user

AT = datetime(2026, 12, 1, 9)


def make_project(world, name="襄阳新能源汽车电驱系统项目", **overrides):
    """A key project led by edu, its chief service officer the edu leader, secretary the handler."""
    spec = ProjectSpec(
        name=name,
        enterprise=world.acme,
        investment=Decimal("12.50"),
        industry="新能源汽车",
        lead_unit=world.edu,
        chief_officer=world.leader,
        secretary=world.handler,
        team=[world.hr_handler],
        stage="building",
        public=True,
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    project = register.register_project(spec, world.supervisor)
    db.session.flush()
    return project


def report_input(**overrides):
    data = reports.ReportInput(
        progress="主体结构封顶，设备进场。", percent=60, investment_done=Decimal("7.20"), blockers=[]
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def test_the_report_due_on_the_5th_moves_past_a_holiday(app):
    sync_from_package([2026])
    db.session.commit()
    cal = load_calendar()
    assert reports.report_due(cal, "2026-10") == date(2026, 10, 8)  # National Day holiday, 1–7 October
    assert reports.report_due(cal, "2026-11") == date(2026, 11, 5)
    assert reports.report_due(cal, "2026-12") == date(2026, 12, 7)  # the 5th is a Saturday


def test_only_a_supervisor_registers_a_project_and_the_chief_officer_is_a_leader(world):
    with pytest.raises(ProjectError):
        register.register_project(
            ProjectSpec("X", world.acme, Decimal(1), "", world.edu, world.leader, world.handler), world.handler
        )
    with pytest.raises(ProjectError):
        make_project(world, chief_officer=world.handler)


def _alerts(subject, subject_id):
    query = select(DutyAlert).where(DutyAlert.subject == subject, DutyAlert.subject_id == subject_id)
    return list(db.session.scalars(query.order_by(DutyAlert.id)))


def test_a_late_report_is_warned_once_per_level_escalating_and_resolved_by_the_report(world):
    project = make_project(world)
    assert reports.open_month(AT) == 1
    report = reports.report_for(project, "2026-12")
    assert report.due_on == date(2026, 12, 7)  # Saturday the 5th: due Monday (no holidays loaded)
    assert reports.late_report_warnings(datetime(2026, 12, 7, 20)) == 0  # due today: not late
    assert reports.late_report_warnings(datetime(2026, 12, 8, 9)) == 1
    assert reports.late_report_warnings(datetime(2026, 12, 8, 15)) == 0  # once per level
    assert reports.late_report_warnings(datetime(2026, 12, 9, 9)) == 1  # orange
    assert reports.late_report_warnings(datetime(2026, 12, 14, 9)) == 1  # red
    assert reports.late_report_warnings(datetime(2026, 12, 15, 9)) == 0
    assert [a.kind for a in _alerts("project_report", report.id)] == ["yellow", "orange", "red"]
    told = set(db.session.scalars(select(OutboxMessage.user_id).where(OutboxMessage.channel == "inapp")))
    assert {world.leader.id, world.handler.id, world.supervisor.id} <= told  # chief officer, secretary; supervisors

    reports.submit_report(report, report_input(), world.handler, at=datetime(2026, 12, 15, 10))
    assert all(a.resolved_at is not None for a in _alerts("project_report", report.id))
    assert report.on_time is False and project.percent == 60
    assert reports.late_report_warnings(datetime(2026, 12, 16, 9)) == 0


def test_a_report_on_time_raises_nothing(world):
    project = make_project(world)
    report = reports.report_for(project, "2026-12")
    reports.submit_report(report, report_input(), world.handler, at=datetime(2026, 12, 7, 18))
    assert report.on_time is True
    assert reports.late_report_warnings(datetime(2026, 12, 20, 9)) == 0


def test_a_late_milestone_is_warned_once_and_resolved_when_reached(world):
    project = make_project(world)
    milestone = register.add_milestone(project, "主体结构封顶", date(2026, 11, 30))
    assert reports.late_milestone_warnings(datetime(2026, 12, 1, 9)) == 1
    assert reports.late_milestone_warnings(datetime(2026, 12, 1, 15)) == 0
    assert [a.kind for a in _alerts("milestone", milestone.id)] == ["yellow"]
    reports.complete_milestone(milestone, date(2026, 12, 2), world.handler, at=datetime(2026, 12, 2, 9))
    assert _alerts("milestone", milestone.id)[0].resolved_at is not None
    assert reports.late_milestone_warnings(datetime(2026, 12, 10, 9)) == 0


def test_only_the_lead_unit_reports(world):
    project = make_project(world)
    report = reports.report_for(project, "2026-12")
    with pytest.raises(ProjectError):
        reports.submit_report(report, report_input(), world.hr_handler)  # on the team, not the lead unit
    with pytest.raises(ProjectError):
        reports.submit_report(report, report_input(percent=120), world.handler)
    assert report.submitted_at is None


def _blocker(world, project=None):
    project = project or make_project(world)
    report = reports.report_for(project, "2026-12")
    reports.submit_report(
        report, report_input(blockers=[("stuck", "施工用电增容迟迟未批复，影响设备调试。")]), world.handler, at=AT
    )
    return report.blockers[0]


def test_a_blocker_becomes_a_ticket_routed_and_linked(world):
    blocker = _blocker(world)
    ticket = blockers.to_ticket(blocker, world.schooling, world.supervisor, at=AT)
    db.session.flush()
    assert blocker.ticket_id == ticket.id
    assert ticket.enterprise == world.acme and ticket.source.value == "self_inspection"
    assert ticket.state == State.DISPATCHED and ticket.lead_unit == world.edu  # routed by the category's rule
    with pytest.raises(ProjectError):
        blockers.to_ticket(blocker, world.schooling, world.supervisor)  # once
    with pytest.raises(ProjectError):
        blockers.to_ticket(_blocker(world, make_project(world, "另一个项目")), world.schooling, world.handler)


def test_a_supervision_order_goes_out_on_the_blockers_ticket(world):
    blocker = _blocker(world)
    with pytest.raises(ProjectError):
        blockers.issue_order(blocker, "key", date(2026, 12, 10), "请加快", world.supervisor, at=AT)
    blockers.to_ticket(blocker, world.schooling, world.supervisor, at=AT)
    blockers.issue_order(blocker, "key", date(2026, 12, 10), "请三日内协调供电公司。", world.supervisor, at=AT)
    assert [o.level for o in blocker.ticket.supervision_orders] == ["key"]


def test_a_blocker_is_cleared_when_its_ticket_closes_resolved(world):
    blocker = _blocker(world)
    ticket = blockers.to_ticket(blocker, world.schooling, world.supervisor, at=AT)
    advance(world, ticket, State.CLOSED)
    assert blocker.state == "cleared" and blocker.cleared_at is not None


def test_a_supervisor_clears_a_blocker_and_a_unit_may_not(world):
    blocker = _blocker(world)
    with pytest.raises(ProjectError):
        blockers.clear(blocker, world.handler)
    blockers.clear(blocker, world.supervisor, at=AT)
    assert blocker.state == "cleared"


def test_the_figures_per_unit_count_reports_milestones_and_blockers(world):
    project = make_project(world)
    register.add_milestone(project, "开工", date(2026, 11, 2), date(2026, 11, 1))
    register.add_milestone(project, "封顶", date(2026, 11, 20))
    late = reports.report_for(project, "2026-11")
    reports.submit_report(late, report_input(), world.handler, at=datetime(2026, 11, 20, 9))
    blocker = _blocker(world, project)
    blockers.clear(blocker, world.supervisor, at=AT)
    found = figures.project_figures([world.edu.id, world.hr.id], date(2026, 10, 1), date(2026, 12, 31))
    edu = found[world.edu.id]
    assert (edu.reports_due, edu.reports_on_time) == (2, 1)
    assert (edu.milestones_due, edu.milestones_met) == (2, 1)
    assert (edu.blockers_raised, edu.blockers_cleared) == (1, 1)
    assert found[world.hr.id] == figures.UnitFigures()


def test_the_digest_reads_back_with_the_registers_figures(world):
    project = make_project(world)
    _blocker(world, project)
    hr_leader = make_user(Role.LEADER, unit=world.hr)
    other = make_project(world, "襄阳智能装备产业园", lead_unit=world.hr, chief_officer=hr_leader)
    reports.report_for(other, "2026-12")
    at = datetime(2026, 12, 20, 9)
    rows = {r.project.name: r for r in figures.digest_rows("2026-12", at)}
    assert rows[project.name].percent == 60 and len(rows[project.name].open_blockers) == 1
    assert rows[other.name].late_reports == 1

    book = openpyxl.load_workbook(io.BytesIO(digest.xlsx("2026-12", at)))
    sheet = book.active
    lines = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert lines[project.name][4] == 60 and lines[project.name][5] == pytest.approx(7.2)
    assert "施工用电增容" in lines[project.name][6] and lines[project.name][7] == 0
    assert lines[other.name][7] == 1

    document = Document(io.BytesIO(digest.docx("2026-12", at)))
    table = document.tables[0]
    cells = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert cells[project.name][4] == "60" and cells[project.name][5] == "7.2"
    assert cells[other.name][7] == "1"


def test_a_project_report_cannot_be_submitted_twice(world):
    project = make_project(world)
    report = reports.report_for(project, "2026-12")
    reports.submit_report(report, report_input(), world.handler, at=AT)
    with pytest.raises(ProjectError):
        reports.submit_report(report, report_input(), world.handler, at=AT)


def test_a_blocker_ticket_goes_through_the_state_machine(world):
    blocker = _blocker(world)
    ticket = blockers.to_ticket(blocker, world.misc, world.supervisor, at=AT)  # no rule: the dispatch queue
    assert ticket.state == State.AWAITING_DISPATCH
    assert [e.action for e in ticket.events] == ["submit", "accept"]
    assert workflow.allowed(world.supervisor, ticket, "dispatch")
    assert db.session.get(Blocker, blocker.id).ticket_id == ticket.id


def test_the_periodic_job_opens_the_months_reports_and_warns_once(world):
    from supervise.domain.clock import frozen
    from supervise.jobs import periodic

    project = make_project(world)
    db.session.commit()
    with frozen(datetime(2026, 12, 8, 9)):
        assert "report warnings 1" in periodic.project_duties()
        assert "report warnings 0" in periodic.project_duties()
    report = reports.report_for(project, "2026-12")
    assert [a.kind for a in _alerts("project_report", report.id)] == ["yellow"]
