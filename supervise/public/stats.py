"""Public statistics: the published measures per unit, area or category and period, the ranking, the
monthly trend, the tickets overdue now, and the same table as CSV and XLSX.

Every figure comes from :mod:`supervise.domain.measures`, which adds up pre-computed cells: a request
runs the same few queries however many tickets there are. Only units, categories and numbers appear
here, never an enterprise.
"""

import csv
import io
from datetime import date

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from supervise.domain import deadlines
from supervise.domain.clock import now
from supervise.domain.measures import reports
from supervise.domain.measures.definitions import (
    ATTRIBUTION,
    GROUPINGS,
    MEASURE_BY_KEY,
    MEASURES,
    MIN_TICKETS_FOR_RANKING,
    RANKING_RULE,
    format_value,
)
from supervise.domain.measures.periods import PERIOD_KINDS, Period, month_of, parse_period
from supervise.domain.measures.reports import Table
from supervise.public import bp
from supervise.web import public_page

DEFAULT_KIND = "quarter"  # the zone settles accounts every quarter (一季一结账)
TREND_MONTHS = 12
RECENT = {"year": 4, "quarter": 8, "month": 24}  # periods offered in the selector, newest first
GROUP_LABELS = {"unit": _l("By unit"), "area": _l("By area"), "category": _l("By category")}
GROUP_HEADINGS = {"unit": _l("Unit"), "area": _l("Area"), "category": _l("Category")}
KIND_LABELS = {"year": _l("Years"), "quarter": _l("Quarters"), "month": _l("Months")}


class StatsForm(FlaskForm):
    """The period and grouping, read from the query string; anything else falls back to the defaults."""

    class Meta:
        csrf = False  # a GET that changes nothing

    period = SelectField(_l("Period"))
    group = SelectField(_l("Group by"), choices=[SelectChoice(k, GROUP_LABELS[k]) for k in GROUPINGS])


def selection(args) -> tuple[Period, str]:
    """The period (``period=2026-Q4``; or ``kind=month`` for the current month) and the grouping asked for,
    with the current quarter and "by unit" for anything missing or malformed."""
    period = parse_period(args.get("period"))
    if period is None:
        kind = args.get("kind")
        period = Period.containing(now().date(), kind if kind in PERIOD_KINDS else DEFAULT_KIND)
    group = args.get("group")
    return period, group if group in GROUPINGS else "unit"


def period_choices(chosen: Period, today: date) -> list[SelectChoice]:
    """Recent years, quarters and months, and the chosen period when it is older."""
    choices = []
    for kind in PERIOD_KINDS[::-1]:
        current = Period.containing(today, kind)
        periods = [current.shift(-i) for i in range(RECENT[kind])]
        if chosen.kind == kind and chosen not in periods:
            periods.append(chosen)
        choices += [SelectChoice(p.value, p.label, optgroup=str(KIND_LABELS[kind])) for p in periods]
    return choices


def _form(period: Period, group: str) -> StatsForm:
    form = StatsForm(formdata=None, period=period.value, group=group)
    form.period.choices = period_choices(period, now().date())
    return form


COLORS = {
    "received": "#2563eb",
    "closed": "#16a34a",
    "on_time": "#7c3aed",
    "satisfaction": "#d97706",
    "orange": "#f97316",
    "red": "#c81e1e",
}


def trend_charts(points: list[reports.TrendPoint]) -> dict:
    """The monthly trend as chart series: counts (received, closed) and rates (on time, satisfied)."""
    return {
        "labels": [f"{p.month.month:02d}" for p in points],
        "sublabels": [str(p.month.year) if i == 0 or p.month.month == 1 else "" for i, p in enumerate(points)],
        "counts": [
            {"name": _("Received"), "values": [p.received for p in points], "color": COLORS["received"]},
            {"name": _("Closed"), "values": [p.closed for p in points], "color": COLORS["closed"]},
        ],
        "rates": [
            {
                "name": _("On-time completion rate"),
                "values": [p.on_time_rate for p in points],
                "color": COLORS["on_time"],
            },
            {
                "name": _("Satisfaction rate"),
                "values": [p.satisfaction_rate for p in points],
                "color": COLORS["satisfaction"],
            },
        ],
    }


@bp.route("/stats")
@public_page
def stats():
    """The measures of a period with their definitions, the ranking, the trend and the overdue tickets."""
    period, group = selection(request.args)
    at = now()
    last = min(period.last_month, month_of(at))
    data = reports.table(period, group)
    ranked, too_few = reports.ranking(period, data.rows if group == "unit" else None)
    trend = reports.monthly_trend(TREND_MONTHS, last=last)
    return render_template(
        "public/stats.html",
        form=_form(period, group),
        period=period,
        group=group,
        group_heading=GROUP_HEADINGS[group],
        table=data,
        measures_list=MEASURES,
        ranked=ranked,
        too_few=too_few,
        trend=trend,
        trend_chart=trend_charts(trend),
        colors=COLORS,
        overdue=reports.open_overdue_by_unit(),
        at=at,
        min_tickets=MIN_TICKETS_FOR_RANKING,
        ranking_rule=RANKING_RULE,
        attribution=ATTRIBUTION,
        red_days=deadlines.RED_OVERDUE_DAYS,
        measure_display=lambda key, counts: MEASURE_BY_KEY[key].display(counts),
    )


def _text_cell(value: str) -> str:
    """A name as spreadsheet text: one starting like a formula is prefixed so it is never evaluated."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def export_rows(data: Table, group: str) -> tuple[list[str], list[list]]:
    """The table as a header and rows of values (None where there is nothing to measure), totals last."""
    header = [str(GROUP_HEADINGS[group])] + [str(m.label) for m in MEASURES]
    rows = [[_text_cell(row.name)] + [row.value(m.key) for m in MEASURES] for row in [*data.rows, data.total]]
    return header, rows


def _filename(period: Period, group: str, extension: str) -> str:
    return f"measures-{period.value}-{group}.{extension}"


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [row[0]] + [format_value(m, v) if v is not None else "" for m, v in zip(MEASURES, row[1:], strict=True)]
        )
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the Chinese names right


def _xlsx(period: Period, header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = period.value
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    formats = {"rate": "0.0%", "average": "0.0", "count": "0"}
    for column, measure in enumerate(MEASURES, start=2):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = formats[measure.kind]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 32
    definitions = book.create_sheet(_("Definitions"))
    definitions.append([_("Measure"), _("Definition")])
    for measure in MEASURES:
        definitions.append([str(measure.label), str(measure.description)])
    definitions.append([_("Period"), period.label])
    definitions.column_dimensions["A"].width = 32
    definitions.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@bp.route("/stats/export.<any(csv, xlsx):fmt>")
@public_page
def stats_export(fmt: str):
    """The measures table of the chosen period and grouping as a spreadsheet download."""
    period, group = selection(request.args)
    header, rows = export_rows(reports.table(period, group), group)
    if fmt == "csv":
        body, mimetype = _csv(header, rows), "text/csv"  # Flask adds "; charset=utf-8" to text types
    else:
        body = _xlsx(period, header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(period, group, fmt)}"'
    return response
