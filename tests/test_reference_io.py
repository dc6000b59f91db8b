"""Reference data as files: a zone's units, streets and towns, categories, routing rules and staff users
as the XLSX template, exported and imported (every row checked first, nothing half-imported, a
re-import changes nothing)."""

import io
import re

import openpyxl
from flask_babel import force_locale
from sqlalchemy import func, select

from supervise.extensions import db
from supervise.models import Area, Category, LimitClass, Role, RoutingRule, Unit, UnitKind, User
from supervise.operations import reference
from supervise.operations.reference.sheets import write_workbook

NEW_ZONE = {
    "units": [
        ["高新区营商办", "营商办", "office", "", "yes", 0],
        ["高新区教育局", "教育局", "department", "", "yes", 1],
        ["东风学区", "", "department", "教育局", "yes", 2],  # parent by short name
        ["高新区供电公司", "供电", "utility", "", "yes", 3],
    ],
    "areas": [["东风街道", "yes", 0], ["米庄镇", "", ""]],
    "categories": [
        ["", "公共服务", "standard", "", "", "", "", "yes", 0],
        ["公共服务", "子女入学", "complex", "教育局", "东风学区、供电", "孩子几岁？\n在哪个学校？", "入学问题", "", 1],
    ],
    "rules": [
        ["公共服务", "子女入学", "", "高新区教育局", "全区"],
        ["公共服务", "子女入学", "东风街道", "东风学区", ""],
    ],
    "users": [
        ["zhang.edu", "张老师", "handler", "教育局", "13800001111", "zhang@edu.example", "yes"],
        ["li.office", "李主任", "supervisor", "营商办", "", "", ""],
    ],
}


def workbook(values: dict) -> io.BytesIO:
    return io.BytesIO(write_workbook(values))


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Unit, Area, Category, RoutingRule, User)
    )


def snapshot() -> list:
    """Every reference row's facts, to compare before and after."""
    units = [(u.name, u.short_name, u.kind, u.parent_id, u.active, u.sort) for u in db.session.scalars(select(Unit))]
    categories = [
        (c.name, c.parent_id, c.limit_class, c.default_lead_unit_id, sorted(u.id for u in c.co_units), c.active)
        for c in db.session.scalars(select(Category))
    ]
    rules = [
        (r.category_id, r.area_id, r.lead_unit_id, r.note, r.retired_at)
        for r in db.session.scalars(select(RoutingRule))
    ]
    users = [
        (u.username, u.name, u.role, u.unit_id, u.mobile, u.email, u.active) for u in db.session.scalars(select(User))
    ]
    return sorted(map(repr, units + categories + rules + users))


def imported(values: dict, actor: User | None = None) -> reference.ImportResult:
    result = reference.import_workbook(actor, workbook(values))
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return result


def errors_of(result: reference.ImportResult) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


# ---------------------------------------------------------------- the template and the round trip


def test_the_template_has_a_sheet_per_kind_of_row_with_required_columns_marked(world, login):
    response = login(world.admin).get("/admin/reference/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Units", "Streets and towns", "Categories", "Routing rules", "Staff users"]
    assert [c.value for c in book["Staff users"][1]] == [
        "Username *",
        "Full name *",
        "Role *",
        "Unit",
        "Mobile",
        "E-mail",
        "Active",
    ]
    assert book["Units"].max_row == 1  # headers only
    offered = {str(v.sqref): v.formula1 for v in book["Staff users"].data_validations.dataValidation}
    assert offered["C2:C1000"] == '"Unit handler,Unit leader,Supervisor,Liaison cadre,Administrator"'


def test_the_template_speaks_chinese_and_a_chinese_file_imports_under_english(world):
    with force_locale("zh_CN"):
        data = reference.export_workbook()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert "单位" in book.sheetnames and "分派规则" in book.sheetnames
    before = snapshot()
    result = reference.import_workbook(None, io.BytesIO(data))
    assert result.ok and result.changes == []
    assert snapshot() == before


def test_an_export_imports_back_as_no_change(world, login):
    data = login(world.admin).get("/admin/reference/export.xlsx").data
    before = snapshot()
    result = reference.import_workbook(world.admin, io.BytesIO(data))
    assert result.ok, errors_of(result)
    assert result.changes == [] and result.passwords == {}
    assert result.unchanged == 4 + 2 + 4 + 1 + 6  # units, areas, categories, active rules, staff users
    db.session.commit()
    assert snapshot() == before


# ---------------------------------------------------------------- a new zone


def test_a_new_zone_starts_from_the_filled_template():
    result = imported(NEW_ZONE)
    assert result.ok, errors_of(result)
    assert len(result.created) == 4 + 2 + 2 + 2 + 2 and result.updated == []
    school_district = db.session.scalar(select(Unit).where(Unit.name == "东风学区"))
    assert school_district.parent.name == "高新区教育局"
    assert db.session.scalar(select(Unit).where(Unit.name == "高新区营商办")).kind == UnitKind.OFFICE
    schooling = db.session.scalar(select(Category).where(Category.name == "子女入学"))
    assert schooling.parent.name == "公共服务" and schooling.limit_class == LimitClass.COMPLEX
    assert schooling.default_lead_unit.name == "高新区教育局"
    assert sorted(u.name for u in schooling.co_units) == ["东风学区", "高新区供电公司"]
    assert schooling.questions == ["孩子几岁？", "在哪个学校？"]
    rules = {(r.area.name if r.area else None): r.lead_unit.name for r in db.session.scalars(select(RoutingRule))}
    assert rules == {None: "高新区教育局", "东风街道": "东风学区"}


def test_new_accounts_get_an_initial_password_shown_once_and_never_read_from_the_file():
    result = imported(NEW_ZONE)
    assert set(result.passwords) == {"zhang.edu", "li.office"}
    zhang = User.by_username("zhang.edu")
    assert zhang.role == Role.HANDLER and zhang.unit.name == "高新区教育局" and zhang.mobile == "13800001111"
    assert zhang.check_password(result.passwords["zhang.edu"])
    assert result.passwords["zhang.edu"] != result.passwords["li.office"]


def test_importing_the_same_file_again_changes_nothing():
    imported(NEW_ZONE)
    before, rows = snapshot(), counts()
    again = imported(NEW_ZONE)
    assert again.ok and again.changes == [] and again.passwords == {}
    assert again.unchanged == 12
    assert counts() == rows and snapshot() == before


def test_rows_matched_by_name_are_updated_not_duplicated():
    imported(NEW_ZONE)
    rows = counts()
    changed = {key: [list(line) for line in lines] for key, lines in NEW_ZONE.items()}
    changed["units"][1][1] = "教体局"  # the short name
    changed["users"][0][4] = "13900002222"
    changed["rules"][0][3] = "东风学区"
    changed["units"][2][3] = "教体局"  # its parent by the new short name
    changed["categories"][1][3] = changed["users"][0][3] = "教体局"
    result = imported(changed)
    assert result.ok, errors_of(result)
    assert sorted((c.sheet, c.name) for c in result.updated) == [
        ("Routing rules", "公共服务 / 子女入学"),
        ("Staff users", "zhang.edu"),
        ("Units", "高新区教育局"),
    ]
    assert result.created == []
    assert counts()[:3] == rows[:3] and counts()[4] == rows[4]
    # A changed rule retires the old one: the history keeps it.
    assert counts()[3] == rows[3] + 1
    assert User.by_username("zhang.edu").mobile == "13900002222"


# ---------------------------------------------------------------- row errors


def test_a_row_naming_a_unit_that_does_not_exist_is_an_error():
    values = dict(NEW_ZONE, users=[["wang", "王", "handler", "财政局", "", "", ""]])
    assert errors_of(imported(values)) == [("Staff users", 2, "Unit", "No unit has the name or short name 财政局.")]


def test_an_unknown_role_is_an_error():
    values = dict(NEW_ZONE, users=[["wang", "王", "enterprise", "", "", "", ""]])
    (error,) = errors_of(imported(values))
    assert error[:3] == ("Staff users", 2, "Role")
    assert error[3].startswith("Not one of: Unit handler、Unit leader")


def test_a_bad_limit_class_is_an_error():
    values = dict(NEW_ZONE)
    values["categories"] = [NEW_ZONE["categories"][0], ["公共服务", "子女入学", "urgent", "", "", "", "", "", ""]]
    (error,) = errors_of(imported(values))
    assert error[:3] == ("Categories", 3, "Time limit")


def test_a_username_listed_twice_is_an_error_on_the_second_row():
    values = dict(NEW_ZONE, users=[*NEW_ZONE["users"], ["zhang.edu", "张", "leader", "教育局", "", "", ""]])
    assert errors_of(imported(values)) == [("Staff users", 4, "Username", "Listed already in row 2.")]


def test_units_placed_under_each_other_are_an_error():
    values = dict(NEW_ZONE)
    values["units"] = [["甲局", "", "department", "乙局", "", ""], ["乙局", "", "department", "甲局", "", ""]]
    values.pop("categories"), values.pop("rules"), values.pop("users")
    message = "A unit cannot be placed under itself or one of its own sub-units."
    assert errors_of(imported(values)) == [("Units", 2, "Parent unit", message), ("Units", 3, "Parent unit", message)]


def test_a_cycle_through_a_unit_already_in_the_database_is_an_error(world):
    world.edu.parent = world.hr
    db.session.commit()
    values = {"units": [[world.hr.name, "", "department", world.edu.name, "", ""]]}
    (error,) = errors_of(imported(values))
    assert error[1:3] == (2, "Parent unit")


def test_the_office_never_leads_on_a_ticket():
    values = dict(NEW_ZONE)
    values["rules"] = [["公共服务", "子女入学", "", "营商办", ""]]
    (error,) = errors_of(imported(values))
    assert error[:3] == ("Routing rules", 2, "Lead unit")
    assert "does not lead on tickets" in error[3]


def test_an_existing_account_keeps_its_role_and_enterprise_accounts_are_not_staff(world):
    values = {
        "users": [
            [world.handler.username, "x", "supervisor", "", "", "", ""],
            [world.enterprise_user.username, "x", "cadre", "", "", "", ""],
        ]
    }
    assert [e[1:3] for e in errors_of(imported(values))] == [(2, "Role"), (3, "Username")]


def test_an_administrator_cannot_deactivate_their_own_account_by_file(world):
    values = {"users": [[world.admin.username, world.admin.name, "admin", "", "", "", "no"]]}
    assert errors_of(imported(values, actor=world.admin)) == [
        ("Staff users", 2, "Active", "You cannot deactivate your own account.")
    ]


def test_row_errors_are_in_chinese_through_the_catalogue():
    values = dict(NEW_ZONE, users=[["wang", "王", "handler", "财政局", "", "", ""]])
    with force_locale("zh_CN"):
        (error,) = errors_of(reference.import_workbook(None, workbook(values)))
    db.session.rollback()
    assert error[0] == "工作人员" and error[2] == "单位"
    assert "财政局" in error[3] and "No unit" not in error[3]


def test_a_file_that_is_not_a_workbook_or_has_unknown_columns_is_refused():
    assert errors_of(reference.import_workbook(None, io.BytesIO(b"not a spreadsheet"))) == [
        ("", None, None, "This is not an XLSX workbook.")
    ]
    book = openpyxl.Workbook()
    book.active.title = "Units"
    book.active.append(["Name", "Colour"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    assert [e[3] for e in errors_of(reference.import_workbook(None, out))] == [
        "Unknown column Colour.",
        "The column Kind is missing.",
    ]


def test_one_wrong_row_imports_nothing(world):
    before, rows = snapshot(), counts()
    values = dict(NEW_ZONE)
    values["users"] = [*NEW_ZONE["users"], ["bad name!", "坏", "handler", "教育局", "", "", ""]]
    result = imported(values)
    assert [e[1:3] for e in errors_of(result)] == [(4, "Username")]
    assert result.changes == [] and result.passwords == {}
    assert counts() == rows and snapshot() == before


# ---------------------------------------------------------------- the admin page and the command


def test_the_administrator_uploads_a_workbook_and_sees_what_was_created(world, login):
    client = login(world.admin)
    assert client.get("/admin/reference").status_code == 200
    response = client.post(
        "/admin/reference/import",
        data={"workbook": (workbook(NEW_ZONE), "zone.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "东风学区" in page and "zhang.edu" in page
    shown = re.findall(r"<tr><td>([\w.]+)</td><td><code>([^<]+)</code>", page)
    assert sorted(username for username, _password in shown) == ["li.office", "zhang.edu"]
    assert all(User.by_username(username).check_password(password) for username, password in shown)


def test_an_upload_with_errors_lists_them_and_changes_nothing(world, login):
    rows = counts()
    values = dict(NEW_ZONE, users=[["wang", "王", "handler", "财政局", "", "", ""]])
    response = login(world.admin).post(
        "/admin/reference/import",
        data={"workbook": (workbook(values), "zone.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "No unit has the name or short name 财政局." in response.get_data(as_text=True)
    assert counts() == rows


def test_the_command_exports_and_imports_the_same_workbook(app, world, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "zone.xlsx"
    assert runner.invoke(args=["reference", "export", str(path)]).exit_code == 0
    result = runner.invoke(args=["reference", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated" in result.output
    path.write_bytes(workbook(NEW_ZONE).getvalue())
    result = runner.invoke(args=["reference", "import", str(path)])
    assert "initial password of zhang.edu: " in result.output
    assert User.by_username("zhang.edu") is not None


def test_the_command_lists_the_errors_and_fails(app, world, tmp_path):
    path = tmp_path / "zone.xlsx"
    path.write_bytes(workbook({"users": [["wang", "王", "handler", "财政局", "", "", ""]]}).getvalue())
    result = app.test_cli_runner().invoke(args=["reference", "import", str(path)])
    assert result.exit_code == 1
    assert "Staff users 2 Unit: No unit has the name or short name 财政局." in result.output
    assert User.by_username("wang") is None
