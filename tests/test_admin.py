"""Administration through HTTP: units, categories, routing rules, users and pairs, the calendar."""

from datetime import date

import pytest
from flask import g
from sqlalchemy import select

from supervise.domain.calendar import forget_cached_calendar, load_calendar
from supervise.extensions import db
from supervise.models import (
    CalendarDay,
    Category,
    Indicator,
    LiaisonPair,
    LimitClass,
    Peer,
    Role,
    RoutingRule,
    Unit,
    User,
)
from supervise.open311 import keys
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "Brand-new-pass-2026"


def unit_form(name: str, parent: Unit | None = None, kind: str = "department", **extra) -> dict:
    return {
        "name": name,
        "short_name": "",
        "kind": kind,
        "parent_id": parent.id if parent else 0,
        "active": "y",
        "sort": 0,
        **extra,
    }


def category_form(name: str, parent: Category | None = None, **extra) -> dict:
    return {
        "name": name,
        "parent_id": parent.id if parent else 0,
        "default_lead_unit_id": 0,
        "limit_class": "standard",
        "intake_questions": "",
        "description": "",
        "active": "y",
        "sort": 0,
        **extra,
    }


def staff_form(username: str, role: str, unit: Unit | None = None, **extra) -> dict:
    return {
        "username": username,
        "name": "新同事",
        "role_choice": role,
        "unit_id": unit.id if unit else 0,
        "mobile": "13712345678",
        "email": "",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "active": "y",
        **extra,
    }


def next_request() -> None:
    """Tests run inside one application context, so ``g`` outlives a request; forget the logged-in user
    before another browser's request."""
    g.pop("_login_user", None)


def rules_for(category: Category) -> list[RoutingRule]:
    return list(
        db.session.scalars(select(RoutingRule).where(RoutingRule.category_id == category.id).order_by(RoutingRule.id))
    )


# --- dashboard -----------------------------------------------------------------------------------


def test_the_dashboard_counts_what_the_administrator_manages(world, login):
    client = login(world.admin)
    page = client.get("/admin/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Categories (in 1 areas)" in text
    for endpoint in ("/admin/units", "/admin/categories", "/admin/rules", "/admin/users", "/admin/calendar"):
        assert endpoint in text


# --- units ---------------------------------------------------------------------------------------


def test_an_administrator_creates_a_unit_under_a_parent(world, login):
    client = login(world.admin)
    response = client.post("/admin/units/new", data=unit_form("区教育局基础教育科", world.edu, short_name="基教科"))
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.name == "区教育局基础教育科"))
    assert unit.parent_id == world.edu.id and unit.short_name == "基教科" and unit.active
    page = client.get("/admin/units").get_data(as_text=True)
    assert page.index("<td>区教育局</td>") < page.index("└ </span>区教育局基础教育科")


def test_a_unit_cannot_be_placed_under_itself_or_its_own_sub_unit(world, login):
    client = login(world.admin)
    client.post("/admin/units/new", data=unit_form("基础教育科", world.edu))
    section = db.session.scalar(select(Unit).where(Unit.name == "基础教育科"))
    client.post("/admin/units/new", data=unit_form("招生组", section))
    group = db.session.scalar(select(Unit).where(Unit.name == "招生组"))

    for parent in (group, section, world.edu):
        response = client.post(f"/admin/units/{world.edu.id}", data=unit_form("区教育局", parent))
        assert response.status_code == 200
        assert "cannot be placed under itself or one of its own sub-units" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, world.edu.id).parent_id is None


def test_a_unit_can_be_moved_and_deactivated_but_names_stay_unique(world, login):
    client = login(world.admin)
    response = client.post(f"/admin/units/{world.street.id}", data=unit_form("区教育局", kind="street"))
    assert "Another unit already has this name." in response.get_data(as_text=True)

    data = unit_form("东津街道办事处", world.office, kind="street")
    del data["active"]
    assert client.post(f"/admin/units/{world.street.id}", data=data).status_code == 302
    db.session.expire_all()
    street = db.session.get(Unit, world.street.id)
    assert street.parent_id == world.office.id and not street.active


def test_a_missing_unit_is_not_found(world, login):
    assert login(world.admin).get("/admin/units/9999").status_code == 404


# --- categories ----------------------------------------------------------------------------------


def test_an_administrator_creates_a_category_under_an_area(world, login):
    client = login(world.admin)
    data = category_form(
        "员工住房",
        world.public_services,
        default_lead_unit_id=world.hr.id,
        co_unit_ids=[world.street.id, world.edu.id],
        limit_class="complex",
        intake_questions="职工人数\n\n  住房需求  \n",
        description="人才公寓等",
    )
    assert client.post("/admin/categories/new", data=data).status_code == 302
    category = db.session.scalar(select(Category).where(Category.name == "员工住房"))
    assert category.parent_id == world.public_services.id
    assert category.default_lead_unit_id == world.hr.id
    assert {u.id for u in category.co_units} == {world.street.id, world.edu.id}
    assert category.limit_class == LimitClass.COMPLEX
    assert category.questions == ["职工人数", "住房需求"]
    assert "员工住房" in client.get("/admin/categories").get_data(as_text=True)


def test_an_administrator_creates_a_top_level_area(world, login):
    client = login(world.admin)
    assert client.post("/admin/categories/new", data=category_form("政策落实")).status_code == 302
    area = db.session.scalar(select(Category).where(Category.name == "政策落实"))
    assert area.is_area


def test_a_category_cannot_be_placed_under_a_category(world, login):
    client = login(world.admin)
    response = client.post("/admin/categories/new", data=category_form("学前教育", world.schooling))
    assert response.status_code == 200
    assert "only be placed under a top-level area" in response.get_data(as_text=True)
    assert db.session.scalar(select(Category).where(Category.name == "学前教育")) is None

    response = client.post(f"/admin/categories/{world.hiring.id}", data=category_form("员工招聘", world.misc))
    assert "only be placed under a top-level area" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Category, world.hiring.id).parent_id == world.public_services.id


def test_an_area_with_categories_stays_top_level(world, login):
    client = login(world.admin)
    client.post("/admin/categories/new", data=category_form("政务服务"))
    other = db.session.scalar(select(Category).where(Category.name == "政务服务"))
    response = client.post(f"/admin/categories/{world.public_services.id}", data=category_form("公共服务", other))
    assert "must stay a top-level area" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Category, world.public_services.id).parent_id is None


def test_editing_a_category_keeps_its_co_units_in_the_form(world, login):
    client = login(world.admin)
    page = client.get(f"/admin/categories/{world.schooling.id}").get_data(as_text=True)
    assert f'<option selected value="{world.street.id}">' in page
    assert "孩子年龄" in page


# --- routing rules -------------------------------------------------------------------------------


def test_adding_a_second_rule_for_the_same_category_and_area_retires_the_first(world, login):
    client = login(world.admin)
    first = client.post(
        "/admin/rules/new",
        data={
            "category_id": world.hiring.id,
            "area_id": world.area.id,
            "lead_unit_id": world.hr.id,
            "note": "东津片区",
        },
    )
    assert first.status_code == 302
    second = client.post(
        "/admin/rules/new",
        data={
            "category_id": world.hiring.id,
            "area_id": world.area.id,
            "lead_unit_id": world.street.id,
            "note": "改由街道",
        },
    )
    assert second.status_code == 302

    old, new = rules_for(world.hiring)
    assert old.lead_unit_id == world.hr.id and old.retired_at is not None and old.retired_by_id == world.admin.id
    assert new.lead_unit_id == world.street.id and new.retired_at is None and new.created_by_id == world.admin.id

    page = client.get("/admin/rules").get_data(as_text=True)
    active, history = page.split('id="history"')
    assert "改由街道" in active and "东津片区" not in active
    assert "东津片区" in history and world.admin.name in history


def test_a_rule_for_another_area_does_not_retire_the_zone_wide_rule(world, login):
    client = login(world.admin)
    client.post(
        "/admin/rules/new",
        data={"category_id": world.schooling.id, "area_id": world.area.id, "lead_unit_id": world.street.id},
    )
    assert [r.retired_at is None for r in rules_for(world.schooling)] == [True, True]


def test_retiring_a_rule_keeps_it_in_the_history(world, login):
    client = login(world.admin)
    (rule,) = rules_for(world.schooling)
    assert client.post(f"/admin/rules/{rule.id}/retire").status_code == 302
    db.session.expire_all()
    rule = db.session.get(RoutingRule, rule.id)
    assert rule.retired_at is not None and rule.retired_by_id == world.admin.id
    page = client.get("/admin/rules").get_data(as_text=True)
    assert "No active rules" in page
    assert "子女入学" in page.split('id="history"')[1]


def test_a_rule_needs_a_concrete_category_and_rules_cannot_be_retired_by_get(world, login):
    client = login(world.admin)
    response = client.post(
        "/admin/rules/new", data={"category_id": world.public_services.id, "area_id": 0, "lead_unit_id": world.edu.id}
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert rules_for(world.public_services) == []
    (rule,) = rules_for(world.schooling)
    assert client.get(f"/admin/rules/{rule.id}/retire").status_code == 405
    assert client.post("/admin/rules/9999/retire").status_code == 404


# --- users ---------------------------------------------------------------------------------------


def test_a_handler_needs_a_unit(world, login):
    client = login(world.admin)
    response = client.post("/admin/users/new", data=staff_form("new_handler", "handler"))
    assert response.status_code == 200
    assert "must belong to a unit" in response.get_data(as_text=True)
    assert User.by_username("new_handler") is None


def test_a_new_handler_with_a_unit_can_log_in(world, login, app):
    admin = login(world.admin)
    assert admin.post("/admin/users/new", data=staff_form("new_handler", "handler", world.edu)).status_code == 302
    user = User.by_username("new_handler")
    assert user.role == Role.HANDLER and user.unit_id == world.edu.id and user.active

    browser = app.test_client()
    next_request()
    response = browser.post("/auth/login", data={"username": "new_handler", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/unit/")


@pytest.mark.parametrize("role", ["supervisor", "cadre", "admin"])
def test_other_staff_may_have_no_unit(world, login, role):
    client = login(world.admin)
    assert client.post("/admin/users/new", data=staff_form(f"new_{role}", role)).status_code == 302
    assert User.by_username(f"new_{role}").role == Role(role)


def test_a_staff_account_needs_a_strong_password_and_a_free_username(world, login):
    client = login(world.admin)
    weak = staff_form("weakling", "supervisor", password="short1", confirm="short1")
    assert "at least 10 characters" in client.post("/admin/users/new", data=weak).get_data(as_text=True)
    taken = staff_form("edu_handler", "supervisor")
    assert "This username is taken." in client.post("/admin/users/new", data=taken).get_data(as_text=True)
    enterprise = staff_form("fake_company", "enterprise")
    assert "Not a valid choice" in client.post("/admin/users/new", data=enterprise).get_data(as_text=True)
    assert User.by_username("weakling") is None and User.by_username("fake_company") is None


def test_resetting_a_password_ends_the_users_sessions(world, login, app):
    handler_browser = app.test_client()
    with handler_browser.session_transaction() as sess:
        sess["_user_id"] = world.handler.open_session()
    db.session.commit()
    assert handler_browser.get("/unit/").status_code == 200

    admin = login(world.admin)
    next_request()
    response = admin.post(
        f"/admin/users/{world.handler.id}/password",
        data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 302

    db.session.expire_all()
    handler = db.session.get(User, world.handler.id)
    assert handler.sessions == []
    assert handler.check_password(NEW_PASSWORD) and not handler.check_password(PASSWORD)
    next_request()
    assert handler_browser.get("/unit/").status_code == 302  # back to the login page


def test_a_weak_reset_password_changes_nothing(world, login):
    login(world.handler)
    client = login(world.admin)
    old_hash = world.handler.password_hash
    response = client.post(
        f"/admin/users/{world.handler.id}/password", data={"new_password": "abc", "confirm_password": "abc"}
    )
    assert "at least 10 characters" in response.get_data(as_text=True)
    db.session.expire_all()
    handler = db.session.get(User, world.handler.id)
    assert handler.password_hash == old_hash and len(handler.sessions) == 1


def test_an_administrator_edits_a_staff_user(world, login):
    client = login(world.admin)
    data = {
        "name": "陈承办（调岗）",
        "unit_id": world.hr.id,
        "mobile": "139 1234 5678",
        "email": "chen@example.com",
        "active": "y",
    }
    assert client.post(f"/admin/users/{world.handler.id}", data=data).status_code == 302
    db.session.expire_all()
    handler = db.session.get(User, world.handler.id)
    assert (handler.name, handler.unit_id, handler.mobile) == ("陈承办（调岗）", world.hr.id, "13912345678")

    response = client.post(f"/admin/users/{world.leader.id}", data={**data, "unit_id": 0})
    assert "must belong to a unit" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.leader.id).unit_id == world.edu.id


def test_a_deactivated_enterprise_user_cannot_log_in(world, login, app):
    client = login(world.admin)
    page = client.get(f"/admin/users/{world.enterprise_user.id}").get_data(as_text=True)
    assert 'name="unit_id"' not in page and world.acme.name in page
    data = {"name": world.enterprise_user.name, "mobile": "", "email": ""}
    assert client.post(f"/admin/users/{world.enterprise_user.id}", data=data).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, world.enterprise_user.id)
    assert not user.active and user.role == Role.ENTERPRISE and user.enterprise_id == world.acme.id
    next_request()
    response = app.test_client().post("/auth/login", data={"username": "acme", "password": PASSWORD})
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_an_administrator_cannot_deactivate_their_own_account(world, login):
    client = login(world.admin)
    response = client.post(f"/admin/users/{world.admin.id}", data={"name": "管理员", "unit_id": 0})
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).active


def test_the_user_list_filters_by_role_and_search(world, login):
    client = login(world.admin)
    page = client.get("/admin/users?role=handler").get_data(as_text=True)
    assert "陈承办" in page and "周承办" in page and "孙督办" not in page
    page = client.get("/admin/users?q=hr_").get_data(as_text=True)
    assert "周承办" in page and "陈承办" not in page
    page = client.get("/admin/users?role=enterprise&q=王").get_data(as_text=True)
    assert "王建国" in page and world.acme.name in page and "赵云帆" not in page
    assert "No user matches" in client.get("/admin/users?q=%25").get_data(as_text=True)


def test_the_user_list_pages_by_id(world, login):
    for n in range(55):
        make_user(Role.HANDLER, f"bulk{n:02d}", unit=world.edu)
    db.session.commit()
    client = login(world.admin)
    first = client.get("/admin/users").get_data(as_text=True)
    assert "bulk54" in first and "edu_handler" not in first and "after=" in first
    last = db.session.scalar(select(User).where(User.username == "bulk05"))
    second = client.get(f"/admin/users?after={last.id}").get_data(as_text=True)
    assert "bulk04" in second and "edu_handler" in second and "bulk05" not in second


# --- liaison pairs -------------------------------------------------------------------------------


def test_a_cadre_is_paired_with_an_enterprise_and_unpaired(world, login):
    client = login(world.admin)
    page = client.get(f"/admin/users/{world.cadre.id}").get_data(as_text=True)
    assert world.acme.name in page.split('id="pairs"')[1]

    assert (
        client.post(f"/admin/users/{world.cadre.id}/pairs", data={"enterprise_id": world.rival.id}).status_code == 302
    )
    pairs = db.session.scalars(select(LiaisonPair).where(LiaisonPair.cadre_id == world.cadre.id)).all()
    assert {p.enterprise_id for p in pairs} == {world.acme.id, world.rival.id}

    again = client.post(f"/admin/users/{world.cadre.id}/pairs", data={"enterprise_id": world.rival.id})
    assert "Not a valid choice" in again.get_data(as_text=True)

    acme_pair = next(p for p in pairs if p.enterprise_id == world.acme.id)
    assert client.post(f"/admin/users/{world.cadre.id}/pairs/{acme_pair.id}/remove").status_code == 302
    remaining = db.session.scalars(select(LiaisonPair.enterprise_id).where(LiaisonPair.cadre_id == world.cadre.id))
    assert list(remaining) == [world.rival.id]


def test_pairs_belong_to_cadres_only(world, login):
    client = login(world.admin)
    other_cadre = make_user(Role.CADRE, "cadre2")
    db.session.flush()
    pair = LiaisonPair(cadre_id=other_cadre.id, enterprise_id=world.rival.id)
    db.session.add(pair)
    db.session.commit()
    assert (
        client.post(f"/admin/users/{world.handler.id}/pairs", data={"enterprise_id": world.rival.id}).status_code == 404
    )
    assert client.post(f"/admin/users/{world.cadre.id}/pairs/{pair.id}/remove").status_code == 404
    assert db.session.get(LiaisonPair, pair.id) is not None


# --- calendar ------------------------------------------------------------------------------------


def test_a_holiday_set_on_a_weekday_stops_it_being_a_working_day_until_cleared(world, login):
    client = login(world.admin)
    wednesday = date(2026, 3, 11)
    response = client.post(
        "/admin/calendar?year=2026", data={"day": "2026-03-11", "is_workday": "0", "name": "临时休假"}
    )
    assert response.status_code == 302 and "year=2026" in response.headers["Location"]
    row = db.session.get(CalendarDay, wednesday)
    assert row.source == "admin" and not row.is_workday and row.updated_by_id == world.admin.id
    forget_cached_calendar()
    assert load_calendar().is_working_day(wednesday) is False

    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "临时休假" in page and 'class="holiday corrected"' in page

    assert client.post("/admin/calendar/clear", data={"day": "2026-03-11"}).status_code == 302
    assert db.session.get(CalendarDay, wednesday) is None
    forget_cached_calendar()
    assert load_calendar().is_working_day(wednesday) is True


def test_a_make_up_working_day_is_shown_in_the_month_grid(world, login):
    client = login(world.admin)
    client.post("/admin/calendar", data={"day": "2026-03-14", "is_workday": "1", "name": "调休上班"})
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert 'class="makeup corrected" title="调休上班"' in page
    assert page.count('<table class="cal-month">') == 12


def test_a_bad_calendar_day_changes_nothing(world, login):
    client = login(world.admin)
    response = client.post("/admin/calendar", data={"day": "2026-02-30", "is_workday": "0"})
    assert response.status_code == 200 and "Not a valid date value." in response.get_data(as_text=True)
    assert db.session.scalar(select(CalendarDay)) is None


def test_loading_2026_from_the_package_stores_its_days_and_keeps_corrections(world, login):
    client = login(world.admin)
    client.post("/admin/calendar", data={"day": "2026-10-01", "is_workday": "1", "name": "值班"})
    response = client.post("/admin/calendar/sync", data={"year": "2026"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Loaded" in text and "2026:" in text
    days = db.session.scalars(select(CalendarDay).where(CalendarDay.source == "package")).all()
    assert days and all(d.day.year in (2026, 2027) for d in days)
    assert db.session.get(CalendarDay, date(2026, 10, 1)).source == "admin"
    forget_cached_calendar()
    assert load_calendar().is_working_day(date(2026, 10, 2)) is False  # National Day holiday


def test_loading_a_year_the_package_does_not_know_says_so(world, login):
    client = login(world.admin)
    text = client.post("/admin/calendar/sync", data={"year": "2099"}, follow_redirects=True).get_data(as_text=True)
    assert "No days were found for 2099" in text and "No days were found for 2100" in text
    assert client.post("/admin/calendar/sync", data={"year": "nonsense"}).status_code == 400


def test_the_calendar_falls_back_to_this_year_for_a_bad_year(world, login):
    assert login(world.admin).get("/admin/calendar?year=abc").status_code == 200


# --- permissions ---------------------------------------------------------------------------------


def admin_urls(world) -> list[tuple[str, str]]:
    pair = db.session.scalar(select(LiaisonPair))
    rule = db.session.scalar(select(RoutingRule))
    key, _secret = keys.issue("matrix")
    db.session.flush()
    peer = Peer(name=f"十堰平台{key.id}", zone="十堰市", base_url="http://127.0.0.1:9/open311/v2", api_key="k_peer")
    db.session.add(peer)
    indicator = Indicator(code=f"ZB{key.id}", name=f"测试指标{key.id}")
    db.session.add(indicator)
    db.session.commit()
    return [
        ("GET", "/admin/"),
        ("GET", "/admin/units"),
        ("GET", "/admin/units/new"),
        ("POST", "/admin/units/new"),
        ("GET", f"/admin/units/{world.edu.id}"),
        ("POST", f"/admin/units/{world.edu.id}"),
        ("GET", "/admin/categories"),
        ("GET", "/admin/categories/new"),
        ("POST", "/admin/categories/new"),
        ("GET", f"/admin/categories/{world.schooling.id}"),
        ("POST", f"/admin/categories/{world.schooling.id}"),
        ("GET", "/admin/rules"),
        ("GET", "/admin/rules/new"),
        ("POST", "/admin/rules/new"),
        ("POST", f"/admin/rules/{rule.id}/retire"),
        ("GET", "/admin/users"),
        ("GET", "/admin/users/new"),
        ("POST", "/admin/users/new"),
        ("GET", f"/admin/users/{world.cadre.id}"),
        ("POST", f"/admin/users/{world.cadre.id}"),
        ("POST", f"/admin/users/{world.cadre.id}/password"),
        ("POST", f"/admin/users/{world.cadre.id}/pairs"),
        ("POST", f"/admin/users/{world.cadre.id}/pairs/{pair.id}/remove"),
        ("GET", "/admin/calendar"),
        ("POST", "/admin/calendar"),
        ("POST", "/admin/calendar/clear"),
        ("POST", "/admin/calendar/sync"),
        ("GET", "/admin/api-keys"),
        ("GET", "/admin/api-keys/new"),
        ("POST", "/admin/api-keys/new"),
        ("POST", f"/admin/api-keys/{key.id}/revoke"),
        ("GET", "/admin/reference"),
        ("GET", "/admin/reference/template.xlsx"),
        ("GET", "/admin/reference/export.xlsx"),
        ("POST", "/admin/reference/import"),
        ("GET", "/admin/peers"),
        ("GET", "/admin/peers/new"),
        ("POST", "/admin/peers/new"),
        ("GET", f"/admin/peers/{peer.id}"),
        ("POST", f"/admin/peers/{peer.id}"),
        ("GET", "/admin/indicators"),
        ("GET", "/admin/indicators/new"),
        ("POST", "/admin/indicators/new"),
        ("GET", f"/admin/indicators/{indicator.id}"),
        ("POST", f"/admin/indicators/{indicator.id}"),
    ]


def test_the_permission_list_covers_every_admin_endpoint(app, world):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    paths = {path for _method, path in admin_urls(world)}
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(path, method=method)[0] for method, path in admin_urls(world)}
    assert covered == endpoints and len(paths) >= len(endpoints)


@pytest.mark.parametrize("who", ["supervisor", "handler", "leader", "cadre", "enterprise_user"])
def test_every_admin_url_is_forbidden_to_other_roles(world, login, who):
    client = login(getattr(world, who))
    for method, path in admin_urls(world):
        assert client.open(path, method=method).status_code == 403, (method, path)
    assert len(rules_for(world.schooling)) == 1 and rules_for(world.schooling)[0].retired_at is None


def test_every_admin_url_sends_anonymous_users_to_log_in(world, client):
    for method, path in admin_urls(world):
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert "/auth/login" in response.headers["Location"]


def test_admin_forms_are_protected_against_csrf(world, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = login(world.admin)
    (rule,) = rules_for(world.schooling)
    assert client.post(f"/admin/rules/{rule.id}/retire").status_code == 400
    assert client.post("/admin/units/new", data=unit_form("无令牌单位")).status_code == 400
    db.session.expire_all()
    assert db.session.get(RoutingRule, rule.id).retired_at is None
    assert db.session.scalar(select(Unit).where(Unit.name == "无令牌单位")) is None
    page = client.get(f"/admin/users/{world.cadre.id}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 4  # logout, details, password, pair add and remove
