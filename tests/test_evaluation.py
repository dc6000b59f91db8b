"""Unit evaluation (评议): personal one-time links, one vote per evaluator and unit, anonymity to the
unit, results beside the measured figures, answers by the unit itself only, and a masked public page."""

import re

import pytest
from sqlalchemy import func, select

from supervise.domain import evaluation as rules
from supervise.domain import evaluation_results
from supervise.domain.measures import cells
from supervise.extensions import db
from supervise.models import Evaluator, Rating, UnitAnswer, Vote, VoteScore, hash_secret
from supervise.models.evaluation import COMMITTEE, DEPUTY, SERVICE_USER
from tests.factories import MONDAY, dispatched, handled


def make_evaluation(world, units=None, evaluators=(DEPUTY,)):
    """An evaluation of 2026 (edu, hr) on two criteria (60/40), with evaluators invited; returns it and
    the evaluators' tokens."""
    evaluation = rules.create_evaluation(
        "2026年度优化营商环境工作评议",
        2026,
        units or [world.edu, world.hr],
        [rules.Criterion("履职尽责", 60, "职责落实"), rules.Criterion("作风建设", 40, "服务态度")],
        world.supervisor,
    )
    tokens = []
    for i, kind in enumerate(evaluators):
        _evaluator, link = rules.invite(evaluation, kind, f"评议人{i}号", world.supervisor)
        tokens.append(link.rsplit("/", 1)[1])
    db.session.commit()
    return evaluation, tokens


def opened(world, **kwargs):
    evaluation, tokens = make_evaluation(world, **kwargs)
    rules.open_evaluation(evaluation, world.supervisor)
    db.session.commit()
    return evaluation, tokens


def scores_form(evaluation, first, second, comment=""):
    a, b = evaluation.criteria
    return {f"c{a.id}": first, f"c{b.id}": second, "comment": comment}


def vote_count():
    return db.session.scalar(select(func.count(Vote.id)))


def test_the_token_is_stored_only_as_its_hash_and_leaves_the_address_bar(world, client):
    evaluation, (token,) = opened(world)
    evaluator = db.session.scalar(select(Evaluator))
    assert evaluator.token_hash == hash_secret(token) and token not in evaluator.token_hash
    response = client.get(f"/evaluate/{token}")
    assert response.status_code == 303 and response.headers["Location"].endswith("/evaluate")
    page = client.get("/evaluate")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and token not in html and "作风建设" in html
    assert page.headers["Cache-Control"] == "no-store"


def test_a_link_used_twice_is_refused_and_nothing_changes(world, client):
    evaluation, (token,) = opened(world)
    edu, hr = evaluation.reports
    client.get(f"/evaluate/{token}")
    assert client.post(f"/evaluate/units/{edu.id}", data=scores_form(evaluation, 90, 80, "好")).status_code == 302
    # the same unit again (a second submission, or a double click): refused, nothing changed
    again = client.post(f"/evaluate/units/{edu.id}", data=scores_form(evaluation, 10, 10), follow_redirects=True)
    assert "a vote cannot be changed" in again.get_data(as_text=True) and vote_count() == 1
    scores = sorted(db.session.scalars(select(VoteScore.score)))
    assert scores == [80, 90]
    finished = client.post(f"/evaluate/units/{hr.id}", data=scores_form(evaluation, 70, 70))
    assert "You have scored every unit" in finished.get_data(as_text=True)
    # every unit scored: the link itself no longer works, and the session forgot the evaluator
    used = client.get(f"/evaluate/{token}")
    assert used.status_code == 410 and "no longer works" in used.get_data(as_text=True)
    assert client.post(f"/evaluate/units/{hr.id}", data=scores_form(evaluation, 1, 1)).status_code == 200
    assert vote_count() == 2


def test_one_vote_per_evaluator_per_unit_even_when_the_check_is_raced(world):
    evaluation, (token,) = opened(world)
    evaluator = rules.evaluator_for(token)
    edu = evaluation.reports[0]
    scores = {c.id: 50 for c in evaluation.criteria}
    rules.cast_vote(evaluator, edu, scores, "")
    db.session.commit()
    with pytest.raises(rules.EvaluationError):
        rules.cast_vote(evaluator, edu, scores, "")
    db.session.rollback()
    # the database refuses what a concurrent request's check could not see
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.add(Vote(evaluator_id=evaluator.id, report_id=edu.id, comment=""))
        db.session.flush()
    db.session.rollback()
    assert vote_count() == 1


def test_an_unknown_link_gets_a_clear_page(world, client):
    opened(world)
    response = client.get("/evaluate/not-a-real-token")
    assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)
    assert "Open the personal link" in client.get("/evaluate").get_data(as_text=True)


def test_a_link_works_only_while_the_evaluation_is_open(world, client):
    evaluation, (token,) = make_evaluation(world)
    draft = client.get(f"/evaluate/{token}")
    assert draft.status_code == 410 and "has not opened yet" in draft.get_data(as_text=True)
    rules.open_evaluation(evaluation, world.supervisor)
    db.session.commit()
    assert client.get(f"/evaluate/{token}").status_code == 303
    rules.close_evaluation(evaluation, world.supervisor)
    db.session.commit()
    # a session opened before the close cannot vote either
    refused = client.post(f"/evaluate/units/{evaluation.reports[0].id}", data=scores_form(evaluation, 60, 60))
    assert "is closed" in refused.get_data(as_text=True) and vote_count() == 0
    assert client.get(f"/evaluate/{token}").status_code == 410


def test_a_score_out_of_range_is_refused_with_a_message(world, client):
    evaluation, (token,) = opened(world)
    client.get(f"/evaluate/{token}")
    page = client.post(f"/evaluate/units/{evaluation.reports[0].id}", data=scores_form(evaluation, 101, ""))
    html = page.get_data(as_text=True)
    assert "A score is from 0 to 100" in html and "Score this criterion" in html and vote_count() == 0


def test_the_vote_form_needs_its_csrf_token(world, client, app):
    evaluation, (token,) = opened(world)
    client.get(f"/evaluate/{token}")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client.post(f"/evaluate/units/{evaluation.reports[0].id}", data=scores_form(evaluation, 60, 60))
        assert vote_count() == 0
        form = client.get(f"/evaluate/units/{evaluation.reports[0].id}").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        data = scores_form(evaluation, 60, 60) | {"csrf_token": csrf}
        client.post(f"/evaluate/units/{evaluation.reports[0].id}", data=data)
        assert vote_count() == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _vote_all(evaluation, tokens, scores, comments):
    """Every evaluator scores the first unit: (first criterion, second) and a comment each."""
    for token, (first, second), comment in zip(tokens, scores, comments, strict=True):
        evaluator = rules.evaluator_for(token)
        a, b = evaluation.criteria
        rules.cast_vote(evaluator, evaluation.reports[0], {a.id: first, b.id: second}, comment)
    db.session.commit()


def test_scores_are_anonymous_to_the_unit(world, login):
    evaluation, tokens = opened(world, evaluators=(DEPUTY, COMMITTEE, SERVICE_USER))
    _vote_all(evaluation, tokens, [(91, 83), (77, 69), (58, 47)], ["审批材料要求不一", "窗口服务热情", "回复偏慢"])
    rules.close_evaluation(evaluation, world.supervisor)
    db.session.commit()
    html = login(world.handler).get(f"/unit/evaluations/{evaluation.reports[0].id}").get_data(as_text=True)
    assert all(c in html for c in ("审批材料要求不一", "窗口服务热情", "回复偏慢"))
    for name in ("评议人0号", "评议人1号", "评议人2号"):
        assert name not in html
    for kind in ("People&#39;s congress deputy", "Standing committee member", "Service user", "deputy"):
        assert kind not in html
    for score in ("91", "83", "77", "69", "58", "47"):  # no one's own scores
        assert not re.search(rf"\b{score}\b", html)


def test_few_votes_show_no_score_and_no_one_is_broken_out(world, login):
    evaluation, tokens = opened(world, evaluators=(DEPUTY, SERVICE_USER))
    _vote_all(evaluation, tokens, [(93, 81), (55, 43)], ["一", "二"])
    line = evaluation_results.results(evaluation)[0]
    assert line.votes == 2 and line.score is None and line.averages == {} and line.rank is None
    html = login(world.supervisor).get(f"/console/evaluations/{evaluation.id}").get_data(as_text=True)
    for score in ("93", "81", "55", "43"):
        assert not re.search(rf"\b{score}\b", html)


def test_results_combine_weighted_scores_with_the_measured_figures(world):
    ticket = dispatched(world, world.schooling, at=MONDAY)
    handled(world, ticket, world.handler, rating=Rating.SATISFIED)
    db.session.commit()
    cells.refresh_all(MONDAY.replace(month=4))
    evaluation, tokens = opened(world, evaluators=(DEPUTY, COMMITTEE, SERVICE_USER))
    _vote_all(evaluation, tokens, [(90, 60), (80, 70), (70, 80)], ["", "", ""])
    edu_line, hr_line = evaluation_results.results(evaluation)
    # criterion averages 80 and 70, weighted 60/40
    assert edu_line.report.unit_id == world.edu.id and edu_line.score == pytest.approx(76.0)
    assert edu_line.rank == 1 and hr_line.rank is None and hr_line.votes == 0
    assert edu_line.measured["on_time_completion"] == "100.0%"
    assert edu_line.measured["satisfaction"] == "100.0%"
    assert hr_line.measured["satisfaction"] == "—"


def test_another_unit_cannot_answer_a_units_comments(world, login):
    evaluation, tokens = opened(world, evaluators=(DEPUTY,))
    _vote_all(evaluation, tokens, [(80, 80)], ["窗口人员少"])
    rules.close_evaluation(evaluation, world.supervisor)
    db.session.commit()
    vote = db.session.scalar(select(Vote))
    other = login(world.hr_handler)
    assert other.post(f"/unit/evaluations/comments/{vote.id}/answer", data={"text": "不是我们"}).status_code == 403
    assert other.get(f"/unit/evaluations/{vote.report_id}").status_code == 403
    assert db.session.scalar(select(func.count(UnitAnswer.id))) == 0
    own = login(world.handler)
    own.post(f"/unit/evaluations/comments/{vote.id}/answer", data={"text": "已增设两个窗口"})
    assert db.session.scalar(select(UnitAnswer.text)) == "已增设两个窗口"


def test_comments_are_answered_only_after_voting_closes(world, login):
    evaluation, tokens = opened(world, evaluators=(DEPUTY,))
    _vote_all(evaluation, tokens, [(80, 80)], ["窗口人员少"])
    vote = db.session.scalar(select(Vote))
    login(world.handler).post(f"/unit/evaluations/comments/{vote.id}/answer", data={"text": "已整改"})
    assert db.session.scalar(select(func.count(UnitAnswer.id))) == 0


def test_the_public_page_masks_names_and_shows_the_answers(world, client, login):
    evaluation, tokens = opened(world, evaluators=(DEPUTY, COMMITTEE, SERVICE_USER))
    comments = [
        "襄阳市恒达精密制造有限公司反映审批慢，联系13912345678",
        "某某科技有限公司说窗口好",
        "评议人0号认为不错",
    ]
    _vote_all(evaluation, tokens, [(80, 80), (70, 70), (60, 60)], comments)
    assert client.get(f"/evaluations/{evaluation.id}").status_code == 404  # not yet published
    rules.submit_report(evaluation.reports[0], "走访襄阳市恒达精密制造有限公司等企业32家", None, world.handler)
    rules.close_evaluation(evaluation, world.supervisor)
    db.session.commit()
    vote = db.session.scalars(select(Vote).order_by(Vote.id)).first()
    answered = login(world.handler).post(
        f"/unit/evaluations/comments/{vote.id}/answer", data={"text": "已为恒达精密制造有限公司办结"}
    )
    assert answered.status_code == 302, answered.get_data(as_text=True)[:3000]
    assert db.session.scalar(select(UnitAnswer.text)), answered.headers
    client.post("/auth/logout")
    rules.publish_results(evaluation, world.supervisor)
    db.session.commit()
    html = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    for secret in ("恒达精密", "13912345678", "科技有限公司", "评议人0号"):
        assert secret not in html
    assert "反映审批慢" in html and "办结" in html and "企业32家" in html and "70.00" in html
    assert evaluation.name in client.get("/evaluations").get_data(as_text=True)


def test_criteria_weights_must_add_up_to_100(world):
    with pytest.raises(rules.EvaluationError):
        rules.create_evaluation(
            "评议", 2026, [world.edu], [rules.Criterion("甲", 50), rules.Criterion("乙", 30)], world.supervisor
        )


def test_the_office_creates_invites_and_sees_the_link_once(world, login):
    office = login(world.supervisor)
    criteria = {
        "criteria-0-name": "履职尽责",
        "criteria-0-weight": "70",
        "criteria-1-name": "作风建设",
        "criteria-1-weight": "30",
        "criteria-2-name": "",
        "criteria-3-name": "",
    }
    data = {"name": "2026年度评议", "year": "2026", "units": [str(world.edu.id), str(world.hr.id)]} | criteria
    created = office.post("/console/evaluations/new", data=data)
    assert created.status_code == 302
    path = created.headers["Location"]
    page = office.post(
        path + "/invite", data={"kind": "deputy", "name": "张代表", "channel": "sms", "address": "13900001111"}
    )
    link = re.search(r'value="(http[^"]+/evaluate/[^"]+)"', page.get_data(as_text=True)).group(1)
    assert page.headers["Cache-Control"] == "no-store"
    assert link not in office.get(path).get_data(as_text=True)  # shown once
    outbox = db.session.scalar(select(func.count()).select_from(db.metadata.tables["outbox_messages"]))
    assert outbox == 1
    office.post(path + "/open")
    html = office.get(path).get_data(as_text=True)
    assert "0/1" in html and "张代表" not in html.split("Units and their reports")[1]


@pytest.mark.parametrize("path", ["/console/evaluations", "/console/evaluations/new", "/unit/evaluations"])
def test_staff_pages_need_a_login(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_units_cannot_use_the_office_pages_and_the_office_not_the_units(world, login):
    evaluation, _tokens = make_evaluation(world)
    assert login(world.handler).get(f"/console/evaluations/{evaluation.id}").status_code == 403
    assert login(world.supervisor).get(f"/unit/evaluations/{evaluation.reports[0].id}").status_code == 403


def test_a_link_sent_by_sms_needs_a_mobile_number_and_nothing_is_made_without_one(world, login):
    evaluation, _tokens = make_evaluation(world, evaluators=())
    page = login(world.supervisor).post(
        f"/console/evaluations/{evaluation.id}/invite",
        data={"kind": "service_user", "name": "王经理", "channel": "sms", "address": "not-a-number"},
    )
    assert page.status_code == 400 and "valid mobile number" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Evaluator.id))) == 0
