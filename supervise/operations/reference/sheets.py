"""The reference-data workbook: its sheets and columns, reading one into rows of text and writing one.

Sheets and headers are written in the current language and recognised in any of the platform's
languages (or by their English keys), so that a file exported in Chinese imports under English too.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from supervise import labels
from supervise.domain.locales import speaking
from supervise.models import Role

STAFF_ROLES = (Role.HANDLER, Role.LEADER, Role.SUPERVISOR, Role.CADRE, Role.ADMIN)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy string
    required: bool = False
    width: int = 18
    choices: str | None = None  # the name of the labels offered in the template's drop-down list


@dataclass(frozen=True)
class Sheet:
    key: str
    title: Any  # a lazy string; at most 31 characters, none of / \ ? * [ ] :
    columns: tuple[Column, ...]

    def label(self, key: str) -> str:
        return str(next(c.label for c in self.columns if c.key == key))


UNITS = Sheet(
    "units",
    _l("Units"),
    (
        Column("name", _l("Name"), required=True, width=30),
        Column("short_name", _l("Short name")),
        Column("kind", _l("Kind"), required=True, choices="kinds"),
        Column("parent", _l("Parent unit"), width=30),
        Column("active", _l("Active"), width=8, choices="flags"),
        Column("sort", _l("Sort order"), width=8),
    ),
)
AREAS = Sheet(
    "areas",
    _l("Streets and towns"),
    (
        Column("name", _l("Name"), required=True, width=24),
        Column("active", _l("Active"), width=8, choices="flags"),
        Column("sort", _l("Sort order"), width=8),
    ),
)
CATEGORIES = Sheet(
    "categories",
    _l("Categories"),
    (
        Column("area", _l("Area"), width=16),
        Column("name", _l("Name"), required=True, width=20),
        Column("limit_class", _l("Time limit"), width=22, choices="limit_classes"),
        Column("lead", _l("Default lead unit"), width=30),
        Column("co_units", _l("Co-handling units"), width=30),
        Column("questions", _l("Intake questions"), width=40),
        Column("description", _l("Explanation"), width=40),
        Column("active", _l("Active"), width=8, choices="flags"),
        Column("sort", _l("Sort order"), width=8),
    ),
)
RULES = Sheet(
    "rules",
    _l("Routing rules"),
    (
        Column("area", _l("Area"), required=True, width=16),
        Column("category", _l("Category"), required=True, width=20),
        Column("street", _l("Area (street / town)"), width=20),
        Column("lead", _l("Lead unit"), required=True, width=30),
        Column("note", _l("Note"), width=30),
    ),
)
USERS = Sheet(
    "users",
    _l("Staff users"),
    (
        Column("username", _l("Username"), required=True),
        Column("name", _l("Full name"), required=True),
        Column("role", _l("Role"), required=True, width=14, choices="roles"),
        Column("unit", _l("Unit"), width=30),
        Column("mobile", _l("Mobile"), width=14),
        Column("email", _l("E-mail"), width=26),
        Column("active", _l("Active"), width=8, choices="flags"),
    ),
)
SHEETS = (UNITS, AREAS, CATEGORIES, RULES, USERS)

KINDS = labels.UNIT_KIND
LIMIT_CLASSES = labels.LIMIT_CLASS
ROLES = {role: labels.ROLE[role] for role in STAFF_ROLES}
LIST_SEPARATORS = ("\n", "、", "，", ",", "；", ";")


def _offered(choices: str) -> list[str]:
    """The labels of a drop-down list, in the current language."""
    mapping = {"kinds": KINDS, "limit_classes": LIMIT_CLASSES, "roles": ROLES}.get(choices)
    return [str(label) for label in mapping.values()] if mapping else [str(_l("Yes")), str(_l("No"))]


def _drop_downs(worksheet, sheet: "Sheet") -> None:
    """Offer the labels of the columns that take one of a few values (typing another still works)."""
    for index, column in enumerate(sheet.columns, start=1):
        if column.choices:
            listed = ",".join(_offered(column.choices))
            validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, showErrorMessage=False)
            worksheet.add_data_validation(validation)
            letter = worksheet.cell(1, index).column_letter
            validation.add(f"{letter}2:{letter}1000")


@dataclass
class RowError:
    """What is wrong with one cell (or a row, or the sheet when ``row`` is None)."""

    sheet: str
    row: int | None
    column: str | None
    message: str


@dataclass
class Row:
    """One data row of a sheet: its number in the spreadsheet and its cells' text by column key."""

    sheet: Sheet
    number: int
    cells: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


def spellings(text: Any, key: str | None = None) -> set[str]:
    """``text`` (a lazy string) as written in each of the platform's languages, and ``key``, folded."""
    found = {key.casefold()} if key else set()
    for language in current_app.config["LANGUAGES"]:
        with speaking(language):
            found.add(str(text).strip().casefold())
    return found


def cell_text(value: Any) -> str:
    """A cell's value as stripped text (a number typed as 13800000000.0 reads as 13800000000)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _sheet_for(title: str) -> Sheet | None:
    folded = title.strip().casefold()
    return next((s for s in SHEETS if folded in spellings(s.title, s.key)), None)


def _header(sheet: Sheet, cells: tuple, errors: list[RowError]) -> dict[int, str]:
    """Column index -> column key, from the first row; unknown, repeated or missing columns are errors."""
    found: dict[int, str] = {}
    title = str(sheet.title)
    for index, value in enumerate(cells):
        text = cell_text(value).removesuffix("*").strip()  # the template marks required columns with *
        if not text:
            continue
        column = next((c for c in sheet.columns if text.casefold() in spellings(c.label, c.key)), None)
        if column is None:
            errors.append(RowError(title, 1, text, str(_l("Unknown column %(name)s.", name=text))))
        elif column.key in found.values():
            errors.append(RowError(title, 1, text, str(_l("The column %(name)s appears twice.", name=text))))
        else:
            found[index] = column.key
    for column in sheet.columns:
        if column.required and column.key not in found.values():
            label = str(column.label)
            errors.append(RowError(title, 1, label, str(_l("The column %(name)s is missing.", name=label))))
    return found


def _rows(sheet: Sheet, worksheet, errors: list[RowError]) -> list[Row]:
    lines = worksheet.iter_rows(values_only=True)
    header = _header(sheet, next(lines, ()), errors)
    rows = []
    for number, cells in enumerate(lines, start=2):
        texts = {key: cell_text(cells[i]) for i, key in header.items() if i < len(cells)}
        if any(texts.values()):  # blank rows are skipped
            rows.append(Row(sheet, number, texts))
    return rows


def read_workbook(stream) -> tuple[dict[str, list[Row]], list[RowError]]:
    """The rows of each known sheet by sheet key, and the errors of the file's shape. Sheets the
    template does not know (such as the instructions) are ignored; a sheet left out reads as empty."""
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        return {}, [RowError("", None, None, str(_l("This is not an XLSX workbook.")))]
    errors: list[RowError] = []
    rows: dict[str, list[Row]] = {s.key: [] for s in SHEETS}
    known = 0
    for worksheet in book.worksheets:
        sheet = _sheet_for(worksheet.title)
        if sheet is not None:
            known += 1
            rows[sheet.key] = _rows(sheet, worksheet, errors)
    if not known:
        names = "、".join(str(s.title) for s in SHEETS)
        errors.append(
            RowError(
                "", None, None, str(_l("The workbook has none of the template's sheets (%(names)s).", names=names))
            )
        )
    return rows, errors


def write_workbook(values: dict[str, list[list[Any]]]) -> bytes:
    """A workbook with every sheet (headers in the current language) and ``values``' rows by sheet key."""
    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        worksheet = book.create_sheet(str(sheet.title))
        worksheet.append([str(c.label) + (" *" if c.required else "") for c in sheet.columns])
        for index, column in enumerate(sheet.columns):
            worksheet.cell(1, index + 1).font = Font(bold=True)
            worksheet.column_dimensions[worksheet.cell(1, index + 1).column_letter].width = column.width
        worksheet.freeze_panes = "A2"
        _drop_downs(worksheet, sheet)
        for line in values.get(sheet.key, []):
            worksheet.append(line)
            for cell in worksheet[worksheet.max_row]:
                if isinstance(cell.value, str) and "\n" in cell.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
