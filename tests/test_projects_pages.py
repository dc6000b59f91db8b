"""Key projects over HTTP: the lead unit's report form (another unit kept out), my projects, the
supervisor's register and its filters, a blocker turned into a ticket and a supervision order from the
project page (the ticket in the unit's workbench), the digest downloads, and the public page."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl

from supervise.domain.clock import now
from supervise.domain.projects import reports
from supervise.extensions import db
from supervise.models import Role, State
from supervise.models.project import Blocker, MonthlyReport, Project
from tests.factories import make_user
from tests.test_projects import make_project


def _project(world, **overrides):
    project = make_project(world, **overrides)
    db.session.commit()
    return project


def _report_data(**extra):
    data = {
        "progress": "设备安装完成80%，开始单机调试。",
        "percent": "70",
        "investment_done": "8.50",
        "stage": "building",
        "blocker_kind_1": "stuck",
        "blocker_text_1": "施工用电增容迟迟未批复。",
    }
    return data | extra


def test_the_lead_unit_submits_the_monthly_report_with_a_blocker(world, login):
    project = _project(world)
    client = login(world.handler)
    assert client.get(f"/unit/projects/{project.id}/report").status_code == 200
    response = client.post(f"/unit/projects/{project.id}/report", data=_report_data())
    assert response.status_code == 302
    report = db.session.query(MonthlyReport).filter_by(project_id=project.id).one()
    assert report.submitted_at is not None and report.percent == 70
    assert [b.kind for b in report.blockers] == ["stuck"]
    page = client.get(f"/unit/projects/{project.id}").get_data(as_text=True)
    assert "施工用电增容迟迟未批复" in page


def test_bad_report_input_is_refused_in_chinese_and_changes_nothing(world, login):
    project = _project(world)
    client = login(world.handler)
    response = client.post(f"/unit/projects/{project.id}/report", data=_report_data(percent="150"))
    assert response.status_code == 400
    report = db.session.query(MonthlyReport).filter_by(project_id=project.id).one()
    assert report.submitted_at is None


def test_another_unit_cannot_see_or_fill_the_report_form(world, login):
    project = _project(world)
    client = login(make_user(Role.HANDLER, unit=world.street))
    db.session.commit()
    assert client.get(f"/unit/projects/{project.id}/report").status_code == 404
    assert client.post(f"/unit/projects/{project.id}/report", data=_report_data()).status_code == 404
    assert client.get(f"/unit/projects/{project.id}").status_code == 404
    # hr_handler serves on the team: sees the project, may not report it
    client = login(world.hr_handler)
    assert client.get(f"/unit/projects/{project.id}").status_code == 200
    assert client.post(f"/unit/projects/{project.id}/report", data=_report_data()).status_code == 403
    assert db.session.query(MonthlyReport).filter(MonthlyReport.submitted_at.is_not(None)).count() == 0


def test_anonymous_and_enterprises_are_kept_out(world, client, login):
    project = _project(world)
    assert client.get(f"/unit/projects/{project.id}").status_code == 302  # to the login page
    assert client.get("/console/projects").status_code == 302
    login(world.enterprise_user)
    assert client.get("/unit/projects").status_code == 403
    assert client.get("/console/projects").status_code == 403


def test_my_projects_lists_what_the_chief_officer_and_secretary_serve(world, login):
    project = _project(world)
    _project(
        world,
        name="不相干的项目",
        lead_unit=world.hr,
        chief_officer=make_user(Role.LEADER, unit=world.hr),
        secretary=world.hr_handler,
        team=[],
    )
    page = login(world.leader).get("/unit/projects").get_data(as_text=True)
    assert project.name in page and "不相干的项目" not in page
    page = login(world.hr_handler).get("/unit/projects?tab=unit").get_data(as_text=True)
    assert "不相干的项目" in page and project.name not in page


def test_the_register_filters_by_stage_unit_and_late_report(world, login):
    building = _project(world)
    signed = _project(
        world,
        name="签约阶段的项目",
        stage="signed",
        lead_unit=world.hr,
        chief_officer=make_user(Role.LEADER, unit=world.hr),
    )
    late = reports.report_for(signed, reports.month_of(now().date()))
    late.due_on = now().date() - timedelta(days=3)
    db.session.commit()
    client = login(world.supervisor)
    page = client.get("/console/projects?stage=signed").get_data(as_text=True)
    assert signed.name in page and building.name not in page
    page = client.get(f"/console/projects?unit={world.edu.id}").get_data(as_text=True)
    assert building.name in page and signed.name not in page
    page = client.get("/console/projects?late=y").get_data(as_text=True)
    assert signed.name in page and building.name not in page


def test_a_blocker_becomes_a_ticket_in_the_units_workbench_and_gets_an_order(world, login):
    project = _project(world)
    login(world.handler).post(f"/unit/projects/{project.id}/report", data=_report_data())
    blocker = db.session.query(Blocker).one()
    client = login(world.supervisor)
    response = client.post(f"/console/projects/blockers/{blocker.id}/ticket", data={"category": world.schooling.id})
    assert response.status_code == 302
    db.session.expire_all()
    ticket = db.session.get(Blocker, blocker.id).ticket
    assert ticket.state == State.DISPATCHED and ticket.lead_unit_id == world.edu.id
    deadline = (now().date() + timedelta(days=5)).isoformat()
    response = client.post(
        f"/console/projects/blockers/{blocker.id}/order",
        data={"level": "key", "deadline": deadline, "note": "三日内协调"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [o.level for o in db.session.get(Blocker, blocker.id).ticket.supervision_orders] == ["key"]
    workbench = login(world.handler).get("/unit/?tab=orders").get_data(as_text=True)
    assert ticket.tracking_no in workbench
    page = login(world.supervisor).get(f"/console/projects/{project.id}").get_data(as_text=True)
    assert ticket.tracking_no in page


def test_the_digest_downloads_match_the_register(world, login):
    project = _project(world)
    login(world.handler).post(f"/unit/projects/{project.id}/report", data=_report_data())
    client = login(world.supervisor)
    register = client.get("/console/projects").get_data(as_text=True)
    row = re.search(rf'id="project-{project.id}".*?</tr>', register, re.S).group(0)
    percent = re.search(r'class="num percent">(\d+)%', row).group(1)
    done = re.search(r'class="num investment-done">([\d.]+)<', row).group(1)
    blockers = re.search(r'class="num open-blockers">(\d+)<', row).group(1)
    response = client.get("/console/projects/digest.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    line = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == project.name)
    assert (line[4], Decimal(str(line[5]))) == (int(percent), Decimal(done))
    assert len([b for b in line[6].split("；") if b]) == int(blockers)
    assert client.get("/console/projects/digest.docx").status_code == 200


def test_the_public_page_hides_unpublished_projects_and_private_investment(world, client):
    shown = _project(world, name="公开投资的项目", investment=Decimal("33.30"), investment_public=True)
    _project(world, name="投资不公开的项目", investment=Decimal("44.40"))
    _project(world, name="不公开的项目", public=False)
    page = client.get("/projects").get_data(as_text=True)
    assert shown.name in page and "33.30" in page
    assert "投资不公开的项目" in page and "44.40" not in page
    assert "不公开的项目" not in page.replace("投资不公开的项目", "")
    assert world.acme.name not in page and world.acme.credit_code not in page and "13912345678" not in page


def test_a_supervisor_registers_a_project_with_its_team_and_milestones(world, login):
    client = login(world.supervisor)
    assert client.get("/console/projects/new").status_code == 200
    data = {
        "name": "高端轴承智能制造基地",
        "credit_code": world.acme.credit_code,
        "investment": "18.50",
        "industry": "高端装备",
        "stage": "signed",
        "lead_unit": world.edu.id,
        "chief_officer": world.leader.id,
        "secretary": world.handler.id,
        "team": [world.hr_handler.id],
        "milestones": "供地, 2027-01-15\n开工建设，2027-03-01",
        "public": "y",
    }
    bad = client.post("/console/projects/new", data=data | {"milestones": "开工建设 明年三月"})
    assert bad.status_code == 400 and db.session.query(Project).count() == 0
    assert client.post("/console/projects/new", data=data | {"credit_code": "91420600000000000X"}).status_code == 400
    response = client.post("/console/projects/new", data=data)
    assert response.status_code == 302
    project = db.session.query(Project).one()
    assert project.enterprise == world.acme and project.team == [world.hr_handler]
    assert [(m.name, m.planned_on.isoformat()) for m in project.milestones] == [
        ("供地", "2027-01-15"),
        ("开工建设", "2027-03-01"),
    ]
    assert project.public and not project.investment_public
