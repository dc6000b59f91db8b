"""Campaigns (专项活动): setup, who may record what, every problem a ticket tagged with the campaign and
routed by its category, coverage and counts from the tickets, and the figures the settlement scores."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from supervise.domain import campaigns, reference, workflow
from supervise.domain.campaigns.figures import coverage
from supervise.domain.campaigns.report import campaign_report
from supervise.extensions import db
from supervise.models import (
    CampaignAnswer,
    CampaignState,
    CampaignVisit,
    LiaisonPair,
    Role,
    Source,
    State,
    Ticket,
)
from tests.factories import advance, file_ticket, handled, make_enterprise, make_user

NOW = datetime(2026, 11, 10, 10)


def open_campaign(world, **setup):
    """An open campaign, visited by the world's cadre and by edu, with a two-question questionnaire."""
    fields = {
        "name": "刀刃向内找问题、倾听心声谋发展",
        "year": 2026,
        "quarter": 4,
        "units": [world.edu],
        "cadres": [world.cadre],
        "questions": ["企业当前最急需解决的问题？", "对营商环境的意见建议？"],
    }
    fields.update(setup)
    campaign = campaigns.save_campaign(None, campaigns.Setup(**fields), world.supervisor)
    campaigns.open_campaign(campaign, world.supervisor, at=NOW - timedelta(days=30))
    db.session.commit()
    return campaign


def problem(world, category=None, title="职工子女入学难"):
    return campaigns.Problem(category or world.schooling, title, "三名职工子女今年秋季没有学位。")


@pytest.fixture
def campaign(world):
    return open_campaign(world)


# ---------------------------------------------------------------- every problem a tagged, routed ticket


def test_a_visit_with_problems_files_tagged_tickets_routed_by_category(world, campaign):
    visit, tickets = campaigns.record_visit(
        campaign,
        world.cadre,
        world.acme,
        NOW.date(),
        "王建国（总经理）",
        [problem(world), problem(world, world.hiring, "招工难")],
        at=NOW,
    )
    assert visit.problem_count == 2 and not visit.no_problem
    assert [t.campaign_id for t in tickets] == [campaign.id, campaign.id]
    assert {t.source for t in tickets} == {Source.VISIT}
    assert all(t.state == State.SUBMITTED and t.filed_by == world.cadre for t in tickets)
    for ticket in tickets:  # the normal intake, then the normal acceptance routes it
        workflow.perform(ticket, "accept", world.supervisor, at=NOW + timedelta(hours=1))
    assert [t.lead_unit for t in tickets] == [world.edu, world.hr]
    assert tickets[0].state == State.DISPATCHED


def test_a_no_problem_visit_files_nothing_and_counts_for_coverage(world, campaign):
    visit, tickets = campaigns.record_visit(campaign, world.cadre, world.rival, NOW.date(), "赵云帆", [], at=NOW)
    assert visit.no_problem and tickets == []
    assert db.session.scalar(select(Ticket).where(Ticket.campaign_id == campaign.id)) is None
    cover = coverage(campaign)
    assert (cover.reached, cover.planned, cover.visits) == (1, 2, 1)


def test_a_cadre_cannot_record_for_a_company_outside_the_targets(world):
    campaign = open_campaign(world, target_all=False, area_ids=[world.area.id])  # acme's area, not rival's
    with pytest.raises(campaigns.CampaignError):
        campaigns.record_visit(campaign, world.cadre, world.rival, NOW.date(), "赵云帆", [problem(world)], at=NOW)
    campaigns.record_visit(campaign, world.cadre, world.acme, NOW.date(), "王建国", [], at=NOW)


def test_targets_by_industry_and_size_must_all_match(world):
    world.acme.size, world.rival.size = "small", "small"
    campaign = open_campaign(world, target_all=False, industries=["信息技术"], sizes=["small"])
    assert not campaigns.is_target(campaign, world.acme.id)
    assert campaigns.is_target(campaign, world.rival.id)


def test_only_the_campaigns_visitors_record_visits_and_only_while_it_is_open(world, campaign):
    other_cadre = make_user(Role.CADRE, "cadre9")
    assert campaigns.may_visit(world.cadre, campaign)
    assert campaigns.may_visit(world.handler, campaign)  # edu visits
    assert not campaigns.may_visit(world.hr_handler, campaign)
    assert not campaigns.may_visit(other_cadre, campaign)
    campaigns.close_campaign(campaign, world.supervisor)
    assert not campaigns.may_visit(world.cadre, campaign)
    with pytest.raises(campaigns.CampaignError):
        campaigns.record_visit(campaign, world.cadre, world.acme, NOW.date(), "王建国", [], at=NOW)


def test_the_questionnaire_answer_files_the_enterprises_own_tickets_once(world, campaign):
    answer, tickets = campaigns.answer_questionnaire(
        campaign, world.enterprise_user, {"企业当前最急需解决的问题？": "子女入学"}, [problem(world)], at=NOW
    )
    assert answer.answers == {"企业当前最急需解决的问题？": "子女入学"}
    assert tickets[0].enterprise == world.acme and tickets[0].filed_by == world.enterprise_user
    assert tickets[0].source == Source.CAMPAIGN and tickets[0].campaign_id == campaign.id
    with pytest.raises(campaigns.CampaignError):
        campaigns.answer_questionnaire(campaign, world.enterprise_user, {"对营商环境的意见建议？": "无"}, [], at=NOW)
    assert len(db.session.scalars(select(CampaignAnswer)).all()) == 1


def test_a_forum_files_each_problem_for_the_enterprise_that_raised_it(world, campaign):
    forum, tickets = campaigns.record_forum(
        campaign,
        world.supervisor,
        NOW.date(),
        "高新区管委会三楼会议室",
        "企业代表12人",
        "座谈纪要",
        [(world.rival, problem(world))],
    )
    assert forum.problem_count == 1
    assert tickets[0].enterprise == world.rival and tickets[0].campaign_id == campaign.id


def test_a_draft_takes_no_visit_and_an_incomplete_setup_is_refused(world):
    draft = campaigns.save_campaign(None, campaigns.Setup("草稿", 2026, 4, cadres=[world.cadre]), world.supervisor)
    assert draft.state == CampaignState.DRAFT
    assert not campaigns.may_visit(world.cadre, draft)
    with pytest.raises(campaigns.CampaignError):
        campaigns.save_campaign(None, campaigns.Setup("坏的", 2026, 5), world.supervisor)
    with pytest.raises(campaigns.CampaignError):
        campaigns.save_campaign(None, campaigns.Setup("无目标", 2026, 1, target_all=False), world.supervisor)
    with pytest.raises(campaigns.CampaignError):  # an enterprise account does not visit
        campaigns.save_campaign(None, campaigns.Setup("x", 2026, 1, cadres=[world.enterprise_user]), world.supervisor)


# ---------------------------------------------------------------- figures from the tickets


def _visited(world, campaign, enterprise, *problems, at=NOW):
    _visit, tickets = campaigns.record_visit(
        campaign, world.cadre, enterprise, at.date(), "负责人", list(problems), at=at
    )
    return tickets


def test_the_figures_count_the_tickets_by_class_unit_and_state(world, campaign):
    start = datetime(2026, 3, 2, 9)
    closed, open_, late = _visited(
        world, campaign, world.acme, problem(world), problem(world), problem(world, world.hiring, "招工难"), at=start
    )
    advance(world, closed, State.CLOSED, at=start + timedelta(hours=2))
    advance(world, open_, State.IN_PROGRESS, at=start + timedelta(hours=2))
    advance(world, late, State.DISPATCHED, at=start + timedelta(hours=2))
    workflow.perform(late, "sign", world.hr_handler, at=start + timedelta(hours=3))
    db.session.flush()
    report = campaign_report(campaign, reference.get(), start + timedelta(days=60))
    t = report.total
    assert (t.raised, t.resolved, t.in_progress, t.overdue, t.rated, t.satisfied) == (3, 1, 2, 2, 1, 1)
    assert dict((name, tally.raised) for name, tally in report.by_class) == {
        "公共服务 / 子女入学": 2,
        "公共服务 / 员工招聘": 1,
    }
    assert dict((name, tally.raised) for name, tally in report.by_unit) == {world.edu.name: 2, world.hr.name: 1}
    assert report.total.resolution_rate == pytest.approx(1 / 3)


def test_coverage_counts_reached_targets_per_cadre_and_unit(world, campaign):
    db.session.add(LiaisonPair(cadre_id=world.cadre.id, enterprise_id=world.rival.id))
    third = make_enterprise("襄阳某新材料有限公司", industry="新材料")
    db.session.flush()
    _visited(world, campaign, world.acme, problem(world))
    _visited(world, campaign, world.acme)  # a second visit to the same company reaches no one new
    campaigns.record_visit(campaign, world.handler, third, NOW.date(), "李经理", [], at=NOW)
    campaigns.answer_questionnaire(campaign, world.rival_user, {"对营商环境的意见建议？": "很好"}, [], at=NOW)
    cover = coverage(campaign)
    assert (cover.planned, cover.reached, cover.visits, cover.visited, cover.answered) == (3, 3, 3, 2, 1)
    by_visitor = {v.name: (v.visits, v.reached, v.planned) for v in cover.by_visitor}
    assert by_visitor == {world.cadre.name: (2, 1, 2), world.handler.name: (1, 1, None)}
    assert {u.unit_id: (u.visits, u.reached) for u in cover.by_unit} == {world.edu.id: (1, 1), None: (2, 1)}


def test_campaign_figures_give_each_unit_its_problems_resolved_and_resolved_on_time(world, campaign):
    start = datetime(2026, 3, 2, 9)
    on_time, late, _open = _visited(
        world, campaign, world.acme, problem(world), problem(world), problem(world), at=start
    )
    handled(world, advance(world, on_time, State.DISPATCHED, at=start), world.handler, at=start, rating=5)
    advance(world, late, State.DISPATCHED, at=start)
    handled(world, late, world.handler, at=start, reply_at=start + timedelta(days=40), rating=4)
    advance(world, _open, State.DISPATCHED, at=start)
    not_campaign = advance(world, file_ticket(world, at=start), State.CLOSED, at=start + timedelta(hours=1))
    assert not_campaign.campaign_id is None
    figures = campaigns.campaign_figures([world.edu.id, world.hr.id], datetime(2026, 1, 1), datetime(2026, 4, 1))
    assert figures[world.edu.id] == campaigns.CampaignFigures(raised=3, resolved=2, resolved_on_time=1)
    assert figures[world.hr.id] == campaigns.CampaignFigures(0, 0, 0)
    later = campaigns.campaign_figures([world.edu.id], datetime(2026, 4, 1), datetime(2026, 7, 1))
    assert later[world.edu.id].raised == 0


def test_visits_are_listed_for_their_visitor(world, campaign):
    _visited(world, campaign, world.acme)
    assert db.session.scalar(select(CampaignVisit.visitor_id)) == world.cadre.id
    assert campaigns.visitor_campaigns(world.cadre) == [campaign]
    assert campaigns.visitor_campaigns(world.handler) == [campaign]
    assert campaigns.visitor_campaigns(world.hr_handler) == []
    assert campaigns.enterprise_campaigns(world.acme.id) == [campaign]


def test_date_fields_in_the_future_are_refused(world, campaign):
    with pytest.raises(campaigns.CampaignError):
        campaigns.record_visit(campaign, world.cadre, world.acme, date(2027, 1, 1), "王建国", [], at=NOW)


def test_satisfaction_counts_only_satisfied_ratings(world, campaign):
    good, bad = _visited(world, campaign, world.acme, problem(world), problem(world), at=datetime(2026, 3, 2, 9))
    advance(world, good, State.CLOSED)  # rated 5
    advance(world, bad, State.AWAITING_RATING)
    workflow.perform(bad, "rate", world.enterprise_user, rating=2, solved=False)
    db.session.flush()
    total = campaigns.tallies([campaign.id], NOW)[campaign.id].total
    assert (total.rated, total.satisfied, total.satisfaction) == (2, 1, 0.5)


def test_the_quarters_campaign_problems_resolved_score_their_unit_in_the_settlement(world, campaign):
    from supervise.domain import settlement
    from supervise.domain.measures.periods import Period

    start = datetime(2026, 3, 2, 9)
    done, _open = _visited(world, campaign, world.acme, problem(world), problem(world), at=start)
    handled(world, advance(world, done, State.DISPATCHED, at=start), world.handler, at=start, rating=5)
    advance(world, _open, State.DISPATCHED, at=start)
    cards = settlement.preview(Period("quarter", 2026, 1), {"campaign_resolved": 1})
    edu = next(c for c in cards if c.unit_id == world.edu.id)
    assert edu.figures["campaign_resolved"] == {"value": 0.5, "points": 50.0}
