"""The monthly digest of the key projects (项目进展月报), generated after the 5th: a ``.docx`` the
office edits and sends, and an XLSX with the same figures (stage, progress, %, investment completed,
open blockers, late reports per project)."""

import io
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from supervise.domain.projects.figures import ProjectRow, digest_rows
from supervise.domain.projects.register import STAGE_LABELS
from supervise.domain.projects.reports import BLOCKER_LABELS

COLUMNS = (
    _l("Project"),
    _l("Lead unit"),
    _l("Stage"),
    _l("Progress"),
    _l("Percent complete"),
    _l("Investment completed (100 million yuan)"),
    _l("Open blockers"),
    _l("Late reports"),
)


def _cells(row: ProjectRow) -> list:
    blockers = "；".join(f"{BLOCKER_LABELS[b.kind]}：{b.text}" for b in row.open_blockers)
    progress = row.report.progress if row.report and row.report.submitted_at else _("Not reported")
    return [
        row.project.name,
        row.project.lead_unit.name,
        str(STAGE_LABELS[row.project.stage]),
        progress,
        row.percent,
        float(row.investment_done),
        blockers,
        row.late_reports,
    ]


def title(month: str) -> str:
    year, mon = month.split("-")
    return _("Key projects: progress digest, %(year)s-%(month)s", year=year, month=mon)


def xlsx(month: str, at: datetime) -> bytes:
    """The digest as a workbook: one row per project."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = month
    sheet.append([title(month)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(c) for c in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in digest_rows(month, at):
        sheet.append(_cells(row))
    for letter, width in zip("ABCDEFGH", (30, 18, 10, 50, 10, 14, 40, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx(month: str, at: datetime) -> bytes:
    """The digest as a Word document the office edits: a title, a summary line, the table."""
    from docx import Document

    rows = digest_rows(month, at)
    document = Document()
    document.add_heading(title(month), level=1)
    reported = sum(1 for r in rows if r.report is not None and r.report.submitted_at is not None)
    document.add_paragraph(
        _(
            "%(total)d key projects; %(reported)d reported for the month; %(blockers)d open blockers.",
            total=len(rows),
            reported=reported,
            blockers=sum(len(r.open_blockers) for r in rows),
        )
    )
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = str(name)
    for row in rows:
        for cell, value in zip(table.add_row().cells, _cells(row), strict=True):
            cell.text = str(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
