"""The settlement notice (通报) of a settled quarter, as a .docx the office edits and sends, and as XLSX.

Both are written from the settlement alone (its frozen scorecards, definitions and carried problems),
so they say what was settled whatever changed since. The notice is internal: it names the carried
problems' titles; the public pages show the ranking only.
"""

import io
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from supervise import labels, times
from supervise.domain.settlement.figures import FIGURES
from supervise.models import State
from supervise.models.settlement import Scorecard, Settlement

BEST_AND_WORST = 3


def title(settlement: Settlement) -> str:
    return _(
        "Business environment work in %(year)d Q%(quarter)d: settlement notice",
        year=settlement.year,
        quarter=settlement.quarter,
    )


def figure_label(key: str) -> str:
    figure = FIGURES.get(key)
    return str(figure.label) if figure else key


def figure_description(key: str) -> str:
    figure = FIGURES.get(key)
    return str(figure.description) if figure else ""


def best_and_worst(settlement: Settlement) -> tuple[list[Scorecard], list[Scorecard]]:
    """The three best and the three worst units (fewer when fewer were ranked, never both at once)."""
    cards = sorted(settlement.scorecards, key=lambda c: c.rank)
    best = cards[:BEST_AND_WORST]
    worst = [c for c in cards[-BEST_AND_WORST:] if c not in best][::-1]
    return best, worst


def shown_value(kind: str, value) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    return f"{value:.2f}" if kind == "score" else f"{value:g}"


def _state_label(value: str) -> str:
    state = State._value2member_map_.get(value)
    return str(labels.STATE[state]) if state in labels.STATE else value


def _add_table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _adjustment_text(card: Scorecard) -> str:
    return f"{card.adjusted - card.score:+.2f}" if card.adjustments else ""


def _ranking_rows(settlement: Settlement) -> list[list[str]]:
    return [
        [
            str(c.rank),
            c.unit_name,
            f"{c.score:.2f}",
            f"{c.adjusted - c.score:+.2f}" if c.adjustments else "",
            f"{c.adjusted:.2f}",
        ]
        for c in sorted(settlement.scorecards, key=lambda c: c.rank)
    ]


def _ranking_header() -> list[str]:
    return [_("Rank"), _("Unit"), _("Score"), _("Adjustment"), _("Final score")]


def _carried_rows(settlement: Settlement) -> list[list[str]]:
    return [
        [
            p.tracking_no,
            p.title,
            p.unit_name or _("Not yet dispatched"),
            _state_label(p.state),
            _("Yes") if p.overdue else "",
        ]
        for p in settlement.carried
    ]


def _carried_header() -> list[str]:
    return [_("Tracking number"), _("Title"), _("Lead unit"), _("State"), _("Overdue")]


def docx_bytes(settlement: Settlement, generated_at: datetime) -> bytes:
    """The notice as a Word document: heading, summary, ranking, best and worst, definitions, carried problems."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    heading = document.add_heading(title(settlement), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    best, worst = best_and_worst(settlement)
    document.add_paragraph(
        _(
            "Settled on %(day)s with scoring scheme version %(version)d: %(n)d units ranked from the figures "
            "measured on the platform and the site tour.",
            day=times.written_day(settlement.settled_at),
            version=settlement.scheme.version,
            n=len(settlement.scorecards),
        )
    )
    document.add_heading(_("Ranking"), level=2)
    _add_table(document, _ranking_header(), _ranking_rows(settlement))
    document.add_heading(_("Best and worst units"), level=2)
    document.add_paragraph(_("Best: %(units)s.", units="、".join(c.unit_name for c in best)))
    if worst:
        document.add_paragraph(_("Worst: %(units)s.", units="、".join(c.unit_name for c in worst)))
    adjusted = [(c, a) for c in settlement.scorecards for a in c.adjustments]
    if adjusted:
        document.add_heading(_("Adjustments"), level=2)
        for card, adjustment in adjusted:
            document.add_paragraph(
                f"{card.unit_name}：{adjustment.points:+.2f}（{adjustment.reason}）", style="List Bullet"
            )
    document.add_heading(_("How units are scored"), level=2)
    _add_table(
        document,
        [_("Figure"), _("Weight"), _("Definition")],
        [[figure_label(d["key"]), str(d["weight"]), figure_description(d["key"])] for d in settlement.definitions],
    )
    document.add_heading(_("Problems carried into the next quarter"), level=2)
    if settlement.carried:
        _add_table(document, _carried_header(), _carried_rows(settlement))
    else:
        document.add_paragraph(_("None: every complaint of the quarter was closed."))
    document.add_paragraph(_("Generated on %(day)s.", day=times.written_day(generated_at)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _bold_header(sheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def xlsx_bytes(settlement: Settlement) -> bytes:
    """The notice as a workbook: the ranking, each unit's figures and points, and the carried problems."""
    book = Workbook()
    ranking = book.active
    ranking.title = _("Ranking")
    ranking.append(_ranking_header())
    for c in sorted(settlement.scorecards, key=lambda c: c.rank):
        ranking.append([c.rank, c.unit_name, float(c.score), float(c.adjusted - c.score), float(c.adjusted)])
    _bold_header(ranking)
    ranking.column_dimensions["B"].width = 36
    keys = [d["key"] for d in settlement.definitions]
    figures = book.create_sheet(_("Figures"))
    figures.append([_("Unit"), *(f"{figure_label(k)} ({_('points')})" for k in keys)])
    for c in sorted(settlement.scorecards, key=lambda c: c.rank):
        figures.append([c.unit_name, *(c.figures.get(k, {}).get("points") for k in keys)])
    _bold_header(figures)
    figures.column_dimensions["A"].width = 36
    carried = book.create_sheet(_("Carried problems"))
    carried.append(_carried_header())
    for row in _carried_rows(settlement):
        carried.append(row)
    _bold_header(carried)
    carried.column_dimensions["B"].width = 48
    carried.column_dimensions["C"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
