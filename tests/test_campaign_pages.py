"""Campaign pages through HTTP: the supervisor's setup and campaign page, the visitor's visit, the
enterprise's questionnaire, and the public report with its .docx and XLSX — whose figures are the
page's, and none of which names an enterprise."""

import io
import re
from datetime import datetime, timedelta

import openpyxl
import pytest
from docx import Document
from sqlalchemy import select

from supervise.domain import campaigns
from supervise.extensions import db
from supervise.models import Campaign, CampaignState, Source, State, Ticket
from tests.factories import advance, publish
from tests.test_campaigns import open_campaign, problem

START = datetime(2026, 3, 2, 9)


@pytest.fixture
def campaign(world):
    return open_campaign(world)


def visit_form(world, **overrides) -> dict:
    data = {
        "enterprise_id": str(world.acme.id),
        "visited_on": "2026-03-02",
        "people_met": "王建国（总经理）",
        "problems-0-category_id": str(world.schooling.id),
        "problems-0-title": "职工子女入学难",
        "problems-0-description": "三名职工子女今年秋季没有学位。",
    }
    data.update(overrides)
    return data


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]+)<', html))


# ---------------------------------------------------------------- the supervisor


def test_a_supervisor_prepares_and_opens_a_campaign(world, login):
    client = login(world.supervisor)
    response = client.post(
        "/console/campaigns/new",
        data={
            "name": "倾听心声谋发展",
            "year": "2026",
            "quarter": "2",
            "theme": "刀刃向内找问题",
            "area_ids": [str(world.area.id)],
            "sizes": ["small", "micro"],
            "unit_ids": [str(world.edu.id)],
            "cadre_ids": [str(world.cadre.id)],
            "question_text": "最急需解决的问题？\n意见建议？",
        },
    )
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.state, campaign.target_all, campaign.target_area_ids) == (
        CampaignState.DRAFT,
        False,
        [world.area.id],
    )
    assert campaign.units == [world.edu] and campaign.cadres == [world.cadre]
    assert campaign.target_sizes == ["micro", "small"]
    world.acme.size = "small"  # acme matches the area and the size; rival neither
    assert campaign.questions == ["最急需解决的问题？", "意见建议？"]
    assert client.post(f"/console/campaigns/{campaign.id}/state", data={"to": "open"}).status_code == 302
    assert campaign.state == CampaignState.OPEN
    page = client.get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)
    assert "倾听心声谋发展" in page and figures(page)["reached"] == "0 / 1"
    assert f"{world.area.name}、Micro、Small" in page


def test_a_bad_setup_gets_a_message_in_chinese_and_nothing_is_saved(world, login):
    client = login(world.supervisor)
    response = client.post("/console/campaigns/new", data={"name": "无目标", "year": "2026", "quarter": "1"})
    assert response.status_code == 200
    assert "Choose the targets" in response.get_data(as_text=True)
    assert db.session.scalar(select(Campaign)) is None


def test_the_campaign_page_figures_match_the_tickets(world, login, campaign):
    _visit, tickets = campaigns.record_visit(
        campaign, world.cadre, world.acme, START.date(), "王建国", [problem(world)] * 3, at=START
    )
    campaigns.record_visit(campaign, world.cadre, world.rival, START.date(), "赵云帆", [], at=START)
    advance(world, tickets[0], State.CLOSED, at=START + timedelta(hours=2))
    advance(world, tickets[1], State.IN_PROGRESS, at=START + timedelta(hours=2))
    db.session.commit()
    page = login(world.supervisor).get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)

    def count(*where) -> int:
        return len(db.session.scalars(select(Ticket).where(Ticket.campaign_id == campaign.id, *where)).all())

    shown = figures(page)
    assert shown["reached"] == "2 / 2"
    assert shown["raised"] == str(count())
    assert shown["resolved"] == str(count(Ticket.state == State.CLOSED))
    assert shown["in_progress"] == str(count(Ticket.state != State.CLOSED))
    assert shown["satisfaction"] == "100.0%"
    assert world.edu.name in page and tickets[2].tracking_no in page


# ---------------------------------------------------------------- the visitor


def test_a_cadre_records_a_visit_with_a_problem(world, login, campaign):
    client = login(world.cadre)
    assert campaign.name in client.get("/my/campaign-visits").get_data(as_text=True)
    response = client.post(f"/my/campaigns/{campaign.id}/visit", data=visit_form(world), follow_redirects=True)
    assert "The visit is recorded" in response.get_data(as_text=True)
    ticket = db.session.scalar(select(Ticket).where(Ticket.campaign_id == campaign.id))
    assert (ticket.source, ticket.enterprise, ticket.filed_by) == (Source.VISIT, world.acme, world.cadre)


def test_a_no_problem_visit_must_say_so(world, login, campaign):
    client = login(world.cadre)
    empty = {k: v for k, v in visit_form(world).items() if not k.startswith("problems-")}
    response = client.post(f"/my/campaigns/{campaign.id}/visit", data=empty)
    assert "No problem raised" in response.get_data(as_text=True) and response.status_code == 200
    response = client.post(f"/my/campaigns/{campaign.id}/visit", data={**empty, "no_problem": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(Ticket)) is None


def test_a_cadre_cannot_record_for_a_company_outside_the_targets(world, login):
    campaign = open_campaign(world, target_all=False, area_ids=[world.area.id])
    client = login(world.cadre)
    page = client.get(f"/my/campaigns/{campaign.id}/visit").get_data(as_text=True)
    assert world.acme.name in page and world.rival.name not in page
    response = client.post(
        f"/my/campaigns/{campaign.id}/visit", data=visit_form(world, enterprise_id=str(world.rival.id))
    )
    assert response.status_code == 200 and "is not among the campaign" in response.get_data(as_text=True)
    assert db.session.scalar(select(Ticket)) is None


def test_a_unit_not_visiting_gets_no_visit_form(world, login, campaign):
    assert login(world.hr_handler).get(f"/my/campaigns/{campaign.id}/visit").status_code == 404
    assert login(world.handler).get(f"/my/campaigns/{campaign.id}/visit").status_code == 200


# ---------------------------------------------------------------- the enterprise


def test_a_targeted_enterprise_answers_the_questionnaire_online(world, login, campaign):
    client = login(world.enterprise_user)
    assert "Answer the questionnaire" in client.get("/my/").get_data(as_text=True)
    response = client.post(
        f"/my/campaigns/{campaign.id}/questionnaire",
        data={"answer-0": "子女入学", **{k: v for k, v in visit_form(world).items() if k.startswith("problems-")}},
    )
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket).where(Ticket.campaign_id == campaign.id))
    assert (ticket.enterprise, ticket.source) == (world.acme, Source.CAMPAIGN)
    assert "Answer the questionnaire" not in client.get("/my/").get_data(as_text=True)  # answered: no longer asked


def test_an_enterprise_outside_the_targets_sees_no_questionnaire(world, login):
    campaign = open_campaign(world, target_all=False, area_ids=[world.area.id])
    client = login(world.rival_user)
    assert "Answer the questionnaire" not in client.get("/my/").get_data(as_text=True)
    assert client.get(f"/my/campaigns/{campaign.id}/questionnaire").status_code == 404


# ---------------------------------------------------------------- the report, public and downloaded


@pytest.fixture
def reported(world, campaign):
    """Two visits' problems: one closed with its result published, one in progress, one unpublished."""
    _v, tickets = campaigns.record_visit(
        campaign, world.cadre, world.acme, START.date(), "王建国", [problem(world)] * 2, at=START
    )
    _v, more = campaigns.record_visit(
        campaign, world.cadre, world.rival, START.date(), "赵云帆", [problem(world, world.hiring, "招工难")], at=START
    )
    advance(world, tickets[0], State.CLOSED, at=START + timedelta(hours=2))
    publish(world, tickets[0], at=START + timedelta(hours=3))
    advance(world, tickets[1], State.IN_PROGRESS, at=START + timedelta(hours=2))
    advance(world, more[0], State.DISPATCHED, at=START + timedelta(hours=2))
    db.session.commit()
    return campaign


def test_the_public_report_shows_counts_and_only_published_problems(client, world, reported):
    page = client.get(f"/campaigns/{reported.id}").get_data(as_text=True)
    assert figures(page) == {"raised": "3", "resolved": "1", "in_progress": "2", "rate": "33.3%"}
    assert "公共服务 / 员工招聘" in page and world.hr.name in page
    assert "已协调解决。" in page  # the published result
    assert page.count("/disclosure/") == 1  # the one published problem
    index = client.get("/campaigns").get_data(as_text=True)
    assert reported.name in index and figures(index)["raised"] == "3"


def test_a_draft_campaign_has_no_public_report(client, world):
    draft = campaigns.save_campaign(None, campaigns.Setup("草稿活动", 2026, 4), world.supervisor)
    db.session.commit()
    assert client.get(f"/campaigns/{draft.id}").status_code == 404
    assert "草稿活动" not in client.get("/campaigns").get_data(as_text=True)


def _docx_tables(data: bytes) -> list[list[list[str]]]:
    document = Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_the_docx_reads_back_with_the_pages_figures(client, world, reported):
    page = client.get(f"/campaigns/{reported.id}").get_data(as_text=True)
    response = client.get(f"/campaigns/{reported.id}/report.docx")
    assert response.mimetype.endswith("wordprocessingml.document")
    document = Document(io.BytesIO(response.data))
    assert document.paragraphs[0].text.startswith(reported.name)
    by_class, by_unit, problems = _docx_tables(response.data)
    assert by_class[0][:3] == ["Class", "Raised", "Resolved"]
    assert {row[0]: row[1:] for row in by_class[1:]} == {
        "公共服务 / 子女入学": ["2", "1", "1", "1", "50.0%", "100.0%"],  # filed in March: overdue now
        "公共服务 / 员工招聘": ["1", "0", "1", "1", "0.0%", "—"],
    }
    assert sum(int(row[1]) for row in by_unit[1:]) == int(figures(page)["raised"])
    assert len(problems) == 2 and problems[1][5] == "已协调解决。"
    assert figures(page)["rate"] in " ".join(p.text for p in document.paragraphs)


def test_the_xlsx_reads_back_with_the_pages_figures(client, world, login, reported):
    page = client.get(f"/campaigns/{reported.id}").get_data(as_text=True)
    for url in (f"/campaigns/{reported.id}/report.xlsx", f"/console/campaigns/{reported.id}/report.xlsx"):
        if url.startswith("/console"):
            login(world.supervisor)
        book = openpyxl.load_workbook(io.BytesIO(client.get(url).data))
        total = list(book["Summary"].iter_rows(values_only=True))[3]
        assert total[1:4] == (3, 1, 2) and total[5] == figures(page)["rate"]
        units = {row[0]: row[1] for row in list(book["By unit"].iter_rows(values_only=True))[1:]}
        assert units == {world.edu.name: 2, world.hr.name: 1}


def test_no_enterprise_name_in_the_public_report_docx_or_xlsx(client, world, reported):
    # The published texts would name the company if the masking did not: put the name in them.
    ticket = db.session.scalar(select(Ticket).where(Ticket.published_at.is_not(None)))
    ticket.public_title = f"{world.acme.name}职工子女入学难"
    ticket.public_reply = f"已为{world.acme.name}协调学位。联系人王建国。"
    db.session.commit()
    texts = [
        client.get(f"/campaigns/{reported.id}").get_data(as_text=True),
        client.get("/campaigns").get_data(as_text=True),
        "\n".join(
            cell
            for table in _docx_tables(client.get(f"/campaigns/{reported.id}/report.docx").data)
            for row in table
            for cell in row
        ),
    ]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/campaigns/{reported.id}/report.xlsx").data))
    texts.append("\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v))
    for text in texts:
        for secret in (world.acme.name, world.rival.name, "王建国", "赵云帆"):
            assert secret not in text
    assert "职工子女入学难" in texts[0]


def test_a_supervisor_records_a_forum_whose_problems_become_the_enterprises_tickets(world, login, campaign):
    client = login(world.supervisor)
    data = {
        "held_on": "2026-03-02",
        "place": "高新区管委会三楼会议室",
        "attendees": "企业代表12人",
        "summary": "座谈纪要",
        "enterprise_id": str(world.rival.id),
        **{k: v for k, v in visit_form(world).items() if k.startswith("problems-")},
    }
    assert client.post(f"/console/campaigns/{campaign.id}/forum", data=data).status_code == 302
    ticket = db.session.scalar(select(Ticket).where(Ticket.campaign_id == campaign.id))
    assert (ticket.enterprise, ticket.source, ticket.filed_by) == (world.rival, Source.CAMPAIGN, world.supervisor)
    page = client.get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)
    assert "高新区管委会三楼会议室" in page


def test_forum_problems_need_the_enterprise_that_raised_them(world, login, campaign):
    client = login(world.supervisor)
    data = {
        "held_on": "2026-03-02",
        "place": "会议室",
        **{k: v for k, v in visit_form(world).items() if k.startswith("problems-")},
    }
    response = client.post(f"/console/campaigns/{campaign.id}/forum", data=data)
    assert response.status_code == 200 and "Choose the enterprise that raised the problems." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Ticket)) is None
