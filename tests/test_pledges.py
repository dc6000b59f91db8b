"""Liaison pledges (包联 亮身份、亮承诺): the public card never names an enterprise, an enterprise sees
only its own cadres and rates each once a year, a cadre logs visits only for paired enterprises, an
unpublished card is not public."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from supervise.domain import pledge_figures, pledges
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import CadreCard, LiaisonPair, ServiceRating, VisitLog, VisitWay
from tests.factories import file_ticket, make_enterprise, readable

PLEDGE = "企业有诉求，24小时内回应。"


def _card(world, published=True, pledge=PLEDGE):
    card = pledges.save_card(world.cadre, unit=world.edu, title="副局长", pledge=pledge, phone="13700001111")
    if published:
        pledges.set_published(world.supervisor, card, True)
    db.session.commit()
    return card


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- the public card


def test_the_public_card_and_list_never_name_a_served_enterprise(client, world):
    """Even when the pledge and a project name the enterprises, by name or alias, and a visit is logged."""
    world.acme.aliases = "恒达精密\n恒达公司"
    second = make_enterprise("襄阳市宏远物流有限公司", industry="商贸流通")
    second.aliases = "宏远物流"
    db.session.flush()
    db.session.add(LiaisonPair(cadre_id=world.cadre.id, enterprise_id=second.id))
    _card(world, pledge="我为襄阳市恒达精密制造有限公司、恒达公司和宏远物流服务，电话13700001111。")
    pledges.add_project(world.cadre, "恒达精密新厂区项目", "主体施工")
    pledges.log_visit(
        world.cadre, world.acme, visited_on=now().date(), way=VisitWay.ON_SITE, summary="恒达精密反映用工难"
    )
    db.session.commit()
    pages = [client.get("/cadres"), client.get(f"/cadres/{world.cadre.id}")]
    names = [*world.acme.redaction_terms(), *second.redaction_terms(), world.acme.contact_name]
    assert len(names) == 6
    for response in pages:
        assert response.status_code == 200
        text = readable(response)
        assert world.cadre.name in text
        for name in names:
            assert name not in text
        assert "13700001111" not in text  # the phone is for the enterprises, not the public
        assert "用工难" not in text  # visits are shown as counts only


def test_the_public_card_shows_the_pledge_the_figures_and_visits_by_month(client, world):
    _card(world)
    pledges.log_visit(world.cadre, world.acme, visited_on=now().date(), way=VisitWay.PHONE, summary="回访")
    db.session.commit()
    card = pledge_figures.public_card(world.cadre.id, now().year)
    assert card.pledge == PLEDGE and card.unit == world.edu.name
    assert card.figures.enterprises == 1 and card.figures.visits == 1
    assert sum(card.months) == 1 and card.months[now().month - 1] == 1
    assert PLEDGE in readable(client.get(f"/cadres/{world.cadre.id}"))


def test_an_unpublished_card_is_not_public(client, world):
    card = _card(world, published=False)
    assert client.get(f"/cadres/{world.cadre.id}").status_code == 404
    assert world.cadre.name not in readable(client.get("/cadres"))
    pledges.set_published(world.supervisor, card, True)
    db.session.commit()
    assert client.get(f"/cadres/{world.cadre.id}").status_code == 200
    pledges.set_published(world.supervisor, card, False)
    db.session.commit()
    assert client.get(f"/cadres/{world.cadre.id}").status_code == 404  # no cached copy outlives it


def test_a_cadre_without_a_card_has_no_public_page(client, world):
    assert client.get(f"/cadres/{world.cadre.id}").status_code == 404
    assert client.get(f"/cadres/{world.enterprise_user.id}").status_code == 404


def test_the_public_list_filters_by_unit(client, world):
    _card(world)
    assert world.cadre.name in readable(client.get(f"/cadres?unit={world.edu.id}"))
    other = client.get(f"/cadres?unit={world.hr.id}")  # a unit without cards: the filter falls back to all
    assert other.status_code == 200
    assert client.get("/cadres?unit=abc").status_code == 400


# ---------------------------------------------------------------- the enterprise


def test_an_enterprise_sees_its_own_cadres_only(client, login, world):
    _card(world)
    page = readable(login(world.enterprise_user).get("/my/cadres"))
    assert world.cadre.name in page and PLEDGE in page and "13700001111" in page
    rival_page = readable(login(world.rival_user).get("/my/cadres"))
    assert world.cadre.name not in rival_page and PLEDGE not in rival_page
    assert login(world.rival_user).post(f"/my/cadres/{world.cadre.id}/rate", data={"score": "5"}).status_code == 404
    assert _count(ServiceRating) == 0


def test_an_enterprise_sees_its_cadre_even_before_the_card_is_published(client, login, world):
    _card(world, published=False)
    assert PLEDGE in readable(login(world.enterprise_user).get("/my/cadres"))


def test_an_enterprise_rates_its_cadre_once_a_year(client, login, world):
    _card(world)
    web = login(world.enterprise_user)
    first = web.post(f"/my/cadres/{world.cadre.id}/rate", data={"score": "4", "comment": "走访勤"})
    assert first.status_code == 302
    rating = db.session.scalar(select(ServiceRating))
    assert (rating.score, rating.comment, rating.year, rating.rated_by_id) == (
        4,
        "走访勤",
        now().year,
        world.enterprise_user.id,
    )
    second = web.post(f"/my/cadres/{world.cadre.id}/rate?lang=zh_CN", data={"score": "1"}, follow_redirects=True)
    assert "本年度已评价过该干部的服务" in readable(second)
    assert _count(ServiceRating) == 1 and db.session.scalar(select(ServiceRating.score)) == 4


def test_next_year_the_enterprise_may_rate_again(world):
    pledges.rate_service(world.enterprise_user, world.cadre, score=5, year=2025)
    pledges.rate_service(world.enterprise_user, world.cadre, score=3, year=2026)
    with pytest.raises(pledges.AlreadyRated):
        pledges.rate_service(world.enterprise_user, world.cadre, score=3, year=2026)
    assert _count(ServiceRating) == 2


@pytest.mark.parametrize("score", ["", "0", "6", "abc"])
def test_a_bad_score_is_refused_in_chinese_and_nothing_is_recorded(client, login, world, score):
    response = login(world.enterprise_user).post(f"/my/cadres/{world.cadre.id}/rate?lang=zh_CN", data={"score": score})
    assert response.status_code == 400
    text = readable(response)
    assert "该字段是必填字段" in text or "不是有效的选择" in text
    assert _count(ServiceRating) == 0


def test_an_unverified_account_cannot_rate(world):
    world.enterprise_user.verification = world.enterprise_user.verification.UNVERIFIED
    with pytest.raises(pledges.PledgeError):
        pledges.rate_service(world.enterprise_user, world.cadre, score=5)
    assert _count(ServiceRating) == 0


def test_the_cadre_sees_the_ratings_of_their_service(client, login, world):
    pledges.rate_service(world.enterprise_user, world.cadre, score=5, comment="有求必应")
    db.session.commit()
    page = readable(login(world.cadre).get("/my/pledge"))
    assert "有求必应" in page and world.acme.name in page


# ---------------------------------------------------------------- the cadre


def test_a_cadre_writes_their_own_card(client, login, world):
    web = login(world.cadre)
    response = web.post(
        "/my/pledge", data={"unit_id": str(world.edu.id), "title": "科长", "phone": "0710-1234567", "pledge": PLEDGE}
    )
    assert response.status_code == 302
    card = db.session.scalar(select(CadreCard))
    assert (card.cadre_id, card.unit_id, card.title, card.phone, card.pledge) == (
        world.cadre.id,
        world.edu.id,
        "科长",
        "0710-1234567",
        PLEDGE,
    )
    assert not card.published  # the office publishes it
    assert web.post("/my/pledge?lang=zh_CN", data={"pledge": ""}).status_code == 200
    assert db.session.scalar(select(CadreCard.pledge)) == PLEDGE


def test_a_cadre_logs_visits_only_for_paired_enterprises(client, login, world):
    web = login(world.cadre)
    day = (now().date() - timedelta(days=2)).isoformat()
    assert web.get(f"/my/enterprises/{world.acme.id}/visits").status_code == 200
    ok = web.post(
        f"/my/enterprises/{world.acme.id}/visits", data={"visited_on": day, "way": "phone", "summary": "回访"}
    )
    assert ok.status_code == 302
    assert web.get(f"/my/enterprises/{world.rival.id}/visits").status_code == 404
    refused = web.post(
        f"/my/enterprises/{world.rival.id}/visits", data={"visited_on": day, "way": "phone", "summary": "回访"}
    )
    assert refused.status_code == 404
    assert [(v.enterprise_id, v.way) for v in db.session.scalars(select(VisitLog))] == [(world.acme.id, VisitWay.PHONE)]
    with pytest.raises(pledges.NotPaired):
        pledges.log_visit(world.cadre, world.rival, visited_on=date.today(), way=VisitWay.ON_SITE, summary="x")


def test_a_visit_links_only_a_complaint_of_that_enterprise(client, login, world):
    own = file_ticket(world)
    other = file_ticket(world, enterprise=world.rival)
    web = login(world.cadre)
    day = now().date().isoformat()
    url = f"/my/enterprises/{world.acme.id}/visits?lang=zh_CN"
    refused = web.post(
        url, data={"visited_on": day, "way": "on_site", "summary": "走访", "tracking_no": other.tracking_no}
    )
    assert refused.status_code == 200 and "没有该企业的诉求" in readable(refused)
    assert _count(VisitLog) == 0
    web.post(url, data={"visited_on": day, "way": "on_site", "summary": "走访", "tracking_no": own.tracking_no})
    assert db.session.scalar(select(VisitLog.ticket_id)) == own.id


def test_a_visit_cannot_be_dated_in_the_future(world):
    with pytest.raises(pledges.PledgeError):
        pledges.log_visit(
            world.cadre, world.acme, visited_on=now().date() + timedelta(days=1), way=VisitWay.ONLINE, summary="x"
        )


def test_only_cadres_use_the_cadre_pages_and_only_enterprises_rate(client, login, world):
    assert client.get("/my/pledge").status_code == 302  # anonymous: to the login page
    assert login(world.enterprise_user).get("/my/pledge").status_code == 403
    assert login(world.cadre).get("/my/cadres").status_code == 403
    assert login(world.handler).get(f"/my/enterprises/{world.acme.id}/visits").status_code == 403


# ---------------------------------------------------------------- the office


def test_the_office_publishes_and_withdraws_a_card(client, login, world):
    _card(world, published=False)
    web = login(world.supervisor)
    assert world.cadre.name in readable(web.get("/console/pledges"))
    web.post(f"/console/pledges/{world.cadre.id}/publish", data={"published": "1"})
    assert db.session.scalar(select(CadreCard.published)) is True
    web.post(f"/console/pledges/{world.cadre.id}/publish", data={"published": "0"})
    assert db.session.scalar(select(CadreCard.published)) is False
    assert (
        login(world.cadre).post(f"/console/pledges/{world.cadre.id}/publish", data={"published": "1"}).status_code
        == 403
    )
    assert db.session.scalar(select(CadreCard.published)) is False
    with pytest.raises(pledges.PledgeError):
        pledges.set_published(world.cadre, db.session.scalar(select(CadreCard)), True)


def test_the_office_sees_the_cadres_without_a_visit_this_quarter(world):
    today = now().date()
    quarter = pledge_figures.quarter_start(today)
    assert pledge_figures.without_visits_since(quarter) == [world.cadre]
    pledges.log_visit(world.cadre, world.acme, visited_on=quarter - timedelta(days=1), way=VisitWay.PHONE, summary="x")
    assert pledge_figures.without_visits_since(quarter) == [world.cadre]
    pledges.log_visit(world.cadre, world.acme, visited_on=today, way=VisitWay.PHONE, summary="x")
    assert pledge_figures.without_visits_since(quarter) == []


def test_the_figures_count_this_years_visits_and_ratings_per_cadre(world):
    today = now().date()
    pledges.log_visit(world.cadre, world.acme, visited_on=today, way=VisitWay.PHONE, summary="x")
    pledges.log_visit(world.cadre, world.acme, visited_on=date(today.year - 1, 6, 1), way=VisitWay.PHONE, summary="x")
    pledges.rate_service(world.enterprise_user, world.cadre, score=4)
    pledges.rate_service(world.enterprise_user, world.cadre, score=2, year=today.year - 1)
    found = pledge_figures.figures([world.cadre.id], today.year)[world.cadre.id]
    assert (found.enterprises, found.visits, found.ratings, found.average) == (1, 1, 1, 4.0)


def test_served_projects_show_on_the_card(client, world):
    _card(world)
    pledges.add_project(world.cadre, "新能源产业园项目", "主体施工")
    db.session.commit()
    assert [p.name for p in pledges.served_projects(world.cadre)] == ["新能源产业园项目"]
    assert "新能源产业园项目" in readable(client.get(f"/cadres/{world.cadre.id}"))


# ---------------------------------------------------------------- the demo


def test_the_demo_has_a_dozen_cards_with_visits_and_ratings_and_names_no_enterprise_publicly(client):
    from supervise import seed
    from supervise.models import Enterprise

    seed.load_reference()
    seed.load_demo(tickets=40)
    db.session.commit()
    cards = db.session.scalars(select(CadreCard)).all()
    assert len(cards) >= 12 and sum(c.published for c in cards) == len(cards) - 1
    assert all(c.pledge and c.unit_id for c in cards)
    year = now().year
    shown = pledge_figures.figures([c.cadre_id for c in cards], year)
    assert all(f.enterprises for f in shown.values()) and sum(f.visits for f in shown.values()) > 100
    assert sum(f.ratings for f in shown.values()) > 10
    assert db.session.scalar(select(func.count()).where(VisitLog.ticket_id.is_not(None)))
    assert pledge_figures.without_visits_since(pledge_figures.quarter_start(now().date()))
    names = [t for e in db.session.scalars(select(Enterprise)) for t in e.redaction_terms()]
    pages = [client.get("/cadres")] + [client.get(f"/cadres/{c.cadre_id}") for c in cards if c.published]
    for response in pages:
        assert response.status_code == 200
        text = readable(response)
        assert not [n for n in names if n in text]


def test_the_card_shows_the_registers_published_projects_the_cadre_serves(world):
    from supervise.domain import pledges
    from tests.test_projects import make_project

    served = make_project(world, "襄阳新能源汽车电驱系统项目", team=[world.cadre])
    make_project(world, "未公开的项目", team=[world.cadre], public=False)
    make_project(world, "别人的项目")  # the cadre is not on its team
    db.session.flush()
    names = [p.name for p in pledges.served_projects(world.cadre)]
    assert names[0] == served.name and "未公开的项目" not in names and "别人的项目" not in names
