"""The responsibility list as a spreadsheet: an import with errors says what is wrong row by row, in
Chinese, and adds nothing; a valid import then an export gives the same rows back; the template has
the columns; only the office imports and exports."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from supervise.domain import indicator_sheets
from supervise.extensions import db
from supervise.models import Indicator, ResponsibilityList, Task
from tests.indicator_support import build_list

HEADER = indicator_sheets.COLUMNS
VALID = [
    ["政务服务", "大项", "", "优化政务服务", "区教育局", "", date(2027, 12, 31), "办事更便利"],
    [
        "政务服务",
        "小项",
        "优化政务服务",
        "推行一网通办",
        "区人力资源和社会保障局",
        "区教育局、东津街道办事处",
        date(2027, 6, 30),
        "网办率90%",
    ],
    ["劳动力市场监管", "小项", "优化政务服务", "开展专项招聘", "区人力资源和社会保障局", "", "2027-09-30", ""],
    ["劳动力市场监管", "大项", "", "保障用工需求", "区人力资源和社会保障局", "", date(2027, 12, 31), "缺工率下降"],
]


def _xlsx(rows: list[list], header: list[str] = HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.fixture
def indicators_only(world):
    db.session.add_all(
        [
            Indicator(code="ZB15", name="政务服务", lead_unit=world.edu),
            Indicator(code="ZB12", name="劳动力市场监管", lead_unit=world.hr, sort=2),
        ]
    )
    db.session.commit()


def _tasks() -> int:
    return db.session.scalar(select(func.count()).select_from(Task))


def test_an_import_with_errors_says_what_is_wrong_per_row_and_adds_nothing(world, indicators_only, app):
    rows = VALID + [
        ["营商口碑", "小项", "优化政务服务", "未知指标的任务", "区教育局", "", date(2027, 6, 30), ""],
        ["政务服务", "小项", "优化政务服务", "未知单位的任务", "区交通局", "区水利局", date(2027, 6, 30), ""],
        ["政务服务", "小项", "优化政务服务", "日期错误的任务", "区教育局", "", "明年六月", ""],
        ["政务服务", "小项", "优化政务服务", "", "区教育局", "", date(2027, 6, 30), ""],
        ["政务服务", "小项", "", "没有大项的小项", "区教育局", "", date(2027, 6, 30), ""],
        ["政务服务", "小项", "不存在的大项", "大项不存在的小项", "区教育局", "", date(2027, 6, 30), ""],
        ["政务服务", "中项", "", "层级错误的任务", "区教育局", "", date(2027, 6, 30), ""],
        ["政务服务", "小项", "优化政务服务", "推行一网通办", "区教育局", "", date(2027, 6, 30), ""],
    ]
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        result = indicator_sheets.import_list(2027, _xlsx(rows))
    db.session.rollback()
    by_row = {e.row: "；".join(e.messages) for e in result.errors}
    assert sorted(by_row) == [6, 7, 8, 9, 10, 11, 12, 13]  # the four valid rows (2–5) have none
    assert "营商口碑" in by_row[6]
    assert "区交通局" in by_row[7] and "区水利局" in by_row[7]
    assert "明年六月" in by_row[8]
    assert "不存在的大项" in by_row[11]
    assert "中项" in by_row[12]
    assert "推行一网通办" in by_row[13]
    assert result.added == [] and _tasks() == 0
    assert db.session.scalar(select(func.count()).select_from(ResponsibilityList)) == 0


def test_the_import_page_lists_the_errors_in_chinese_and_imports_nothing(world, indicators_only, login):
    client = login(world.supervisor)
    rows = VALID + [["政务服务", "小项", "", "没有大项的小项", "区教育局", "", date(2027, 6, 30), ""]]
    client.get("/language/zh_CN")
    response = client.post(
        "/console/indicators/import",
        data={"year": "2027", "sheet": (_xlsx(rows), "清单.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "第 6 行" in response.text or "第6行" in response.text
    assert "上级任务" in response.text and "未导入" in response.text
    assert _tasks() == 0


def test_a_valid_import_then_the_export_round_trips(world, indicators_only, login):
    client = login(world.supervisor)
    response = client.post(
        "/console/indicators/import",
        data={"year": "2027", "sheet": (_xlsx(VALID), "清单.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and _tasks() == 4
    minor = db.session.scalar(select(Task).where(Task.title == "推行一网通办"))
    assert minor.parent.title == "优化政务服务" and {u.name for u in minor.co_units} == {"区教育局", "东津街道办事处"}
    exported = client.get("/console/indicators/2027.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:8] == HEADER
    got = {r[3]: [c if c is not None else "" for c in r[:8]] for r in rows[1:]}
    for row in VALID:
        expected = list(row)
        expected[6] = row[6] if isinstance(row[6], date) else date.fromisoformat(row[6])
        got_row = got[row[3]]
        got_row[6] = got_row[6].date()
        assert got_row[:5] == expected[:5] and got_row[6:] == expected[6:]
        assert set(filter(None, got_row[5].split("、"))) == set(filter(None, expected[5].split("、")))
    # the exported file imports again into another year as it is
    again = client.post(
        "/console/indicators/import",
        data={"year": "2028", "sheet": (io.BytesIO(exported.data), "导出.xlsx")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302 and _tasks() == 8


def test_the_same_file_twice_adds_nothing_the_second_time(world, indicators_only):
    assert not indicator_sheets.import_list(2027, _xlsx(VALID)).errors
    db.session.commit()
    second = indicator_sheets.import_list(2027, _xlsx(VALID))
    assert len(second.errors) == 4 and _tasks() == 4


def test_a_file_that_is_not_a_workbook_or_has_other_columns_is_refused(world, indicators_only):
    result = indicator_sheets.import_list(2027, io.BytesIO(b"%PDF-1.4 not a workbook"))
    assert result.errors and result.errors[0].row == 1
    result = indicator_sheets.import_list(2027, _xlsx(VALID, header=["名称", "单位"]))
    assert result.errors and _tasks() == 0


def test_the_template_has_the_columns_and_the_names_to_use(world, indicators_only, login):
    response = login(world.supervisor).get("/console/indicators/template.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    names = [r[0] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "政务服务" in names


def test_only_the_office_imports_and_exports(world, login):
    build_list(world)
    client = login(world.hr_handler)
    assert client.get("/console/indicators/2026.xlsx").status_code == 403
    assert client.get("/console/indicators/import").status_code == 403
    assert client.get("/console/indicators/template.xlsx").status_code == 403
