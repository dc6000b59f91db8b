"""The campaign report as files the office edits and sends on: a Word document (.docx, python-docx)
and a workbook (XLSX, openpyxl), both from the same :class:`~supervise.domain.campaigns.report.Report`
as the page, so their figures are the page's."""

import io

from flask_babel import gettext as _

from supervise import labels
from supervise.domain.campaigns.figures import Tally
from supervise.domain.campaigns.report import Report, percent


def _tally_headers() -> list[str]:
    return [_("Raised"), _("Resolved"), _("In progress"), _("Overdue"), _("Resolution rate"), _("Satisfaction")]


def tally_cells(tally: Tally) -> list:
    """A tally's cells, in the order of the headers (the page's columns too)."""
    return [
        tally.raised,
        tally.resolved,
        tally.in_progress,
        tally.overdue,
        percent(tally.resolution_rate),
        percent(tally.satisfaction),
    ]


def summary_text(report: Report) -> str:
    """The report's opening paragraph."""
    c, t = report.campaign, report.total
    return _(
        "%(period)s, the campaign “%(name)s” collected %(raised)d problems in %(classes)d classes, handled by "
        "%(units)d units: %(resolved)d resolved, %(open)d in progress (%(overdue)d overdue); resolution rate "
        "%(rate)s, satisfaction %(satisfaction)s.",
        period=c.period_label,
        name=c.name,
        raised=t.raised,
        classes=len(report.by_class),
        units=len([name for name, _t in report.by_unit if name != "—"]),
        resolved=t.resolved,
        open=t.in_progress,
        overdue=t.overdue,
        rate=percent(t.resolution_rate),
        satisfaction=percent(t.satisfaction),
    )


def _problem_cells(p) -> list[str]:
    return [p.tracking_no, p.title, p.category, p.unit, str(labels.STATE[p.state]), p.result]


def _problem_headers() -> list[str]:
    return [_("Tracking number"), _("Problem"), _("Class"), _("Lead unit"), _("State"), _("Result")]


def _docx_table(document, headers: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = str(value)


def to_docx(report: Report) -> bytes:
    """The report as a .docx: title, summary, tables by class and by unit, the published problems."""
    from docx import Document

    document = Document()
    c = report.campaign
    document.add_heading(f"{c.name}（{c.period_label}）", level=0)
    if c.theme:
        document.add_paragraph(c.theme)
    document.add_paragraph(summary_text(report))
    document.add_heading(_("Problems by class"), level=1)
    _docx_table(document, [_("Class"), *_tally_headers()], [[n, *tally_cells(t)] for n, t in report.by_class])
    document.add_heading(_("Problems by unit"), level=1)
    _docx_table(document, [_("Unit"), *_tally_headers()], [[n, *tally_cells(t)] for n, t in report.by_unit])
    document.add_heading(_("Published problems and results"), level=1)
    _docx_table(document, _problem_headers(), [_problem_cells(p) for p in report.problems])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The report as a workbook: a summary sheet, by class, by unit, the published problems."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    c = report.campaign
    sheet = book.active
    sheet.title = _("Summary")
    sheet.append([f"{c.name}（{c.period_label}）"])
    sheet["A1"].font = Font(bold=True)
    sheet.append([summary_text(report)])
    sheet.append([_("Total"), *_tally_headers()])
    sheet.append([_("Total"), *tally_cells(report.total)])
    sheets = [
        (_("By class"), [_("Class"), *_tally_headers()], [[n, *tally_cells(t)] for n, t in report.by_class]),
        (_("By unit"), [_("Unit"), *_tally_headers()], [[n, *tally_cells(t)] for n, t in report.by_unit]),
        (_("Published problems"), _problem_headers(), [_problem_cells(p) for p in report.problems]),
    ]
    for title, headers, rows in sheets:
        ws = book.create_sheet(title)
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(report: Report, fmt: str) -> tuple[bytes, str]:
    """The report as ``fmt`` (``docx`` or ``xlsx``): the file's bytes and its media type."""
    body = to_docx(report) if fmt == "docx" else to_xlsx(report)
    return body, MIMETYPES[fmt]
