"""The public statistics pages and downloads: every period and grouping renders, the downloads carry the
same table, nothing names an enterprise, bad parameters fall back, and a request costs the same few
queries however many tickets there are."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from supervise.domain import subscribers, workflow
from supervise.domain.clock import frozen
from supervise.domain.measures import cells, periods, reports
from supervise.domain.measures.definitions import MEASURES
from supervise.domain.measures.periods import Period
from supervise.extensions import db
from tests.factories import MONDAY, dispatched, handled

NOW = datetime(2026, 3, 20, 10)  # a Friday in the first quarter of 2026


@pytest.fixture(autouse=True)
def _subscribed():
    subscribers.connect_all()


@pytest.fixture
def figures(world):
    """Six tickets to the education bureau (ranked), two to human resources (too few), one overdue."""
    for rating in (5, 4, 3, 2, 5):
        handled(world, dispatched(world), world.handler, rating=rating, solved=rating > 2)
    late = dispatched(world, handle_days=1)
    workflow.perform(late, "sign", world.handler, at=MONDAY)
    for _ in range(2):
        handled(world, dispatched(world, world.hiring), world.hr_handler, rating=4)
    db.session.commit()
    refresh()
    return world


def refresh() -> None:
    cells.refresh_dirty(NOW)
    db.session.commit()


def get(client, url: str):
    with frozen(NOW):
        return client.get(url)


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start : end if end > 0 else None]


@pytest.mark.parametrize("period", ["2026-03", "2026-Q1", "2026"])
@pytest.mark.parametrize("group", ["unit", "area", "category"])
def test_the_statistics_page_shows_every_period_and_grouping_with_definitions(client, figures, period, group):
    response = get(client, f"/stats?period={period}&group={group}")

    assert response.status_code == 200
    html = response.text
    names = {
        "unit": [figures.edu.name, figures.hr.name],
        "area": [figures.public_services.name],
        "category": ["公共服务 / 子女入学", "公共服务 / 员工招聘"],
    }[group]
    table = section(html, "table-title")
    assert all(name in table for name in names)
    assert Period.containing(datetime(2026, 3, 1), parse_kind(period)).label in html
    definitions = section(html, "definitions-title")
    for measure in MEASURES:
        assert f'href="#def-{measure.key}"' in table
        assert f'id="def-{measure.key}"' in definitions and str(measure.description) in definitions


def parse_kind(text: str) -> str:
    return periods.parse_period(text).kind


def test_the_table_shows_the_measures_of_the_cells(client, figures):
    table = section(get(client, "/stats?period=2026-Q1").text, "table-title")

    edu_row = table[table.index(figures.edu.name) :].split("</tr>")[0]
    cells = [c.split("<")[0] for c in edu_row.split('<td class="num">')[1:]]
    row = next(r for r in reports.table(Period("quarter", 2026, 1)).rows if r.key == figures.edu.id)
    assert cells == [row.display(m.key) for m in MEASURES]
    # Six received; four closed (the bad rating waits for review); four of five ratings satisfied.
    assert cells[:2] == ["6", "4"] and row.display("satisfaction") == "80.0%"


def test_the_page_defaults_to_the_current_quarter_by_unit(client, figures):
    html = get(client, "/stats").text

    assert "2026 Q1" in html and figures.edu.name in section(html, "table-title")
    assert '<option selected value="2026-Q1">' in html


@pytest.mark.parametrize(
    "query",
    [
        "period=2026-13",
        "period=2026-Q9&group=enterprise",
        "period=abc&kind=decade",
        "period=99999",
        "group=",
        "kind=month&period=",
        "period=1999-Q1",
    ],
)
def test_bad_parameters_fall_back_to_the_defaults(client, figures, query):
    for url in (f"/stats?{query}", f"/stats/export.csv?{query}", f"/stats/export.xlsx?{query}"):
        assert get(client, url).status_code == 200, url


def test_kind_alone_chooses_the_current_period_of_that_kind(client, figures):
    assert "<h1>Statistics · 2026-03</h1>" in get(client, "/stats?kind=month").text
    assert "<h1>Statistics · Year 2026</h1>" in get(client, "/stats?kind=year").text


def test_the_ranking_lists_only_units_with_five_tickets_and_says_so(client, figures):
    ranking = section(get(client, "/stats?period=2026-Q1").text, "ranking-title")

    assert "at least 5 complaints" in ranking
    assert figures.edu.name in ranking and figures.hr.name not in ranking
    assert "1 unit received fewer than 5 complaints" in ranking


def test_the_trend_is_drawn_as_inline_svg_scaled_to_the_screen(client, figures):
    trend = section(get(client, "/stats?period=2026-Q1").text, "trend-title")

    assert trend.count('viewBox="0 0 480 240"') == 2 and 'width="100%"' in trend  # two charts (and legend swatches)
    assert "<script" not in trend and "http" not in trend.replace("http://www.w3.org/2000/svg", "")
    assert "2026-03" in trend  # the figures of the chart, as a table too


def test_overdue_tickets_are_listed_by_unit_with_their_warning_colour(client, figures):
    # The one-day ticket was due Tuesday 3 March: by 20 March it is long overdue, so red.
    overdue = section(get(client, "/stats").text, "overdue-title")

    assert figures.edu.name in overdue and figures.hr.name not in overdue
    row = overdue[overdue.index(figures.edu.name) :].split("</tr>")[0]
    assert [c.split("<")[0] for c in row.split('<td class="num">')[1:]] == ["0", "1", "1"]


def test_the_csv_download_is_the_table_with_a_bom_for_excel(client, figures):
    response = get(client, "/stats/export.csv?period=2026-Q1&group=unit")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "measures-2026-Q1-unit.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    data = reports.table(Period("quarter", 2026, 1), "unit")
    assert rows[0] == ["Unit"] + [str(m.label) for m in MEASURES]
    expected = [[r.name] + [r.display(m.key).replace("—", "") for m in MEASURES] for r in [*data.rows, data.total]]
    assert rows[1:] == expected


def test_the_xlsx_download_is_the_table_with_numbers(client, figures):
    response = get(client, "/stats/export.xlsx?period=2026&group=category")

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["2026"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    data = reports.table(Period("year", 2026), "category")
    assert rows[0] == ["Category"] + [str(m.label) for m in MEASURES]
    assert [r[0] for r in rows[1:]] == [r.name for r in data.rows] + ["Total"]
    for got, row in zip(rows[1:], [*data.rows, data.total], strict=True):
        assert got[1:] == pytest.approx([row.value(m.key) for m in MEASURES])
    assert sheet.cell(2, 1 + [m.key for m in MEASURES].index("satisfaction") + 1).number_format == "0.0%"
    assert [r[0] for r in book["Definitions"].iter_rows(min_row=2, max_row=2, values_only=True)] == ["Received"]


def test_no_enterprise_appears_on_the_pages_or_in_the_downloads(client, figures):
    secrets = [
        figures.acme.name,
        figures.acme.credit_code,
        figures.acme.contact_mobile,
        figures.rival.name,
        "王建国",
        "13912345678",
        "恒达",
    ]
    for url in (
        "/stats",
        "/stats?period=2026&group=category",
        "/stats?period=2026-03&group=area",
        "/stats/export.csv?period=2026",
    ):
        body = get(client, url).data.decode("utf-8-sig")
        assert not [s for s in secrets if s in body], url
    book = load_workbook(io.BytesIO(get(client, "/stats/export.xlsx?period=2026").data))
    text = " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert not [s for s in secrets if s in text]


def _statements(client, url: str) -> list[str]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert get(client, url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


@pytest.mark.parametrize(
    "url",
    [
        "/stats",
        "/stats?period=2026&group=category",
        "/stats?period=2026-03&group=area",
        "/stats/export.csv?period=2026",
        "/stats/export.xlsx?period=2026-Q1&group=area",
    ],
)
def test_a_statistics_request_runs_the_same_few_queries_however_many_tickets_there_are(client, figures, url):
    few = _statements(client, url)
    for day in range(30):
        at = MONDAY - timedelta(days=3 * day)
        handled(figures, dispatched(figures, figures.hiring, at=at), figures.hr_handler, at=at, rating=5)
        late = dispatched(figures, at=at, handle_days=1)
        workflow.perform(late, "sign", figures.handler, at=at)
    db.session.commit()
    refresh()

    many = _statements(client, url)

    assert len(many) == len(few) <= 8
    # Only the live list of tickets overdue now reads the tickets table; the rest adds up cells.
    assert sum(" tickets" in s.lower().split("where")[0] for s in many) <= 1


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, figures):
    figures.edu.name = '=HYPERLINK("http://x")'
    db.session.commit()

    rows = list(csv.reader(io.StringIO(get(client, "/stats/export.csv?period=2026").data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(get(client, "/stats/export.xlsx?period=2026").data)).active

    assert '\'=HYPERLINK("http://x")' in [r[0] for r in rows]
    assert all(c.data_type != "f" for c in sheet["A"])
