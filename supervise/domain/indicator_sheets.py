"""The responsibility list as a spreadsheet (offices keep these lists in Excel): export of a year's
list, a blank template, and import — every row checked, the errors said per row, and nothing added
when any row fails (the caller commits once, or rolls back)."""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from supervise.domain.indicators import list_for, major_progress
from supervise.extensions import db
from supervise.models import Indicator, ResponsibilityList, Task, TaskLevel, TaskState, Unit

# The columns, in the office's words; import reads the first eight, export adds progress and state.
COLUMNS = ["指标", "层级", "上级任务", "任务名称", "责任单位", "配合单位", "完成时限", "预期成果"]
EXTRA_COLUMNS = ["进度(%)", "状态"]
LEVELS = {"大项": TaskLevel.MAJOR, "major": TaskLevel.MAJOR, "小项": TaskLevel.MINOR, "minor": TaskLevel.MINOR}
LEVEL_NAMES = {TaskLevel.MAJOR: "大项", TaskLevel.MINOR: "小项"}
STATE_NAMES = {TaskState.OPEN: "推进中", TaskState.DONE: "已完成"}
MAX_ROWS = 2000
SEPARATORS = re.compile(r"[、,，;；\n]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


@dataclass
class RowError:
    row: int  # the spreadsheet's row number
    messages: list[str]


@dataclass
class Parsed:
    """One valid row, ready to become a task."""

    row: int
    indicator: Indicator
    level: TaskLevel
    parent_title: str
    title: str
    unit: Unit
    co_units: list[Unit]
    deadline: date
    expected: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    added: list[Task] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class _Lookup:
    """The names a row may use: indicators by name or code, units by name or short name, the year's
    existing major tasks by title."""

    def __init__(self, year_list: ResponsibilityList | None):
        self.indicators: dict[str, Indicator] = {}
        for indicator in db.session.scalars(select(Indicator).where(Indicator.active.is_(True))):
            self.indicators[indicator.name] = self.indicators[indicator.code] = indicator
        self.units: dict[str, Unit] = {}
        for unit in db.session.scalars(select(Unit).where(Unit.active.is_(True))):
            self.units[unit.name] = unit
            if unit.short_name:
                self.units.setdefault(unit.short_name, unit)
        existing = list(year_list.tasks) if year_list is not None else []
        self.titles = {t.title for t in existing}
        self.majors = {t.title: t for t in existing if t.level == TaskLevel.MAJOR}


def _check_shape(level_text, parent, title, deadline_cell, problems: list[str]):
    """The row's level, title, major task and deadline; what is wrong goes to ``problems``."""
    level = LEVELS.get(_text(level_text).lower())
    if level is None:
        problems.append(_("level must be 大项 or 小项, not “%(value)s”", value=_text(level_text)))
    if not title:
        problems.append(_("the task's title is missing"))
    elif len(title) > 200:
        problems.append(_("the task's title is longer than 200 characters"))
    if level == TaskLevel.MINOR and not _text(parent):
        problems.append(_("a minor task needs its major task in the column 上级任务"))
    if level == TaskLevel.MAJOR and _text(parent):
        problems.append(_("a major task has no 上级任务"))
    deadline = _date(deadline_cell)
    if deadline is None:
        problems.append(_("the deadline “%(value)s” is not a date (2026-06-30)", value=_text(deadline_cell)))
    return level, deadline


def _check_units(unit_name, co_text, lookup: _Lookup, problems: list[str]) -> tuple[Unit | None, list[Unit]]:
    """The responsible unit and the co-operating units, by name or short name."""
    unit = lookup.units.get(_text(unit_name))
    if unit is None:
        problems.append(_("unknown responsible unit “%(name)s”", name=_text(unit_name)))
    co_units: list[Unit] = []
    for co_name in (n.strip() for n in SEPARATORS.split(_text(co_text)) if n.strip()):
        co_unit = lookup.units.get(co_name)
        if co_unit is None:
            problems.append(_("unknown co-operating unit “%(name)s”", name=co_name))
        elif co_unit is not unit and co_unit not in co_units:
            co_units.append(co_unit)
    return unit, co_units


def _check_row(number: int, cells: list, lookup: _Lookup, problems: list[str]) -> Parsed | None:
    """Check one row's cells; what is wrong goes to ``problems``; the parsed row when nothing is."""
    name, level_text, parent, title, unit_name, co_text, deadline_cell, expected = (cells + [None] * 8)[:8]
    indicator = lookup.indicators.get(_text(name))
    if indicator is None:
        problems.append(_("unknown indicator “%(name)s”", name=_text(name)))
    title = _text(title)
    level, deadline = _check_shape(level_text, parent, title, deadline_cell, problems)
    unit, co_units = _check_units(unit_name, co_text, lookup, problems)
    if problems:
        return None
    return Parsed(number, indicator, level, _text(parent), title, unit, co_units, deadline, _text(expected))


def _rows(stream: BinaryIO) -> list[tuple[int, list]]:
    """The first sheet's rows after the header, numbered as the spreadsheet shows them; blank rows skipped.
    Raises ValueError when the file is no spreadsheet of these columns."""
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds on a file that is not a workbook
        raise ValueError(_("This file is not an Excel workbook (.xlsx).")) from err
    sheet = book.worksheets[0]
    found = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = list(values)[:8]
        if number == 1:
            if [_text(c) for c in cells] != COLUMNS:
                raise ValueError(
                    _("The first row must be the template's columns: %(columns)s.", columns="、".join(COLUMNS))
                )
            continue
        if any(_text(c) for c in cells):
            found.append((number, cells))
        if len(found) > MAX_ROWS:
            raise ValueError(_("At most %(n)d tasks per file.", n=MAX_ROWS))
    book.close()
    return found


def import_list(year: int, stream: BinaryIO) -> ImportResult:
    """Add the spreadsheet's tasks to ``year``'s list, all or nothing: every row is checked first
    (unknown indicator or unit, bad level or date, missing title, a minor task without its major,
    a title already listed); when any row fails, the errors per row and nothing added."""
    result = ImportResult()
    try:
        rows = _rows(stream)
    except ValueError as err:
        result.errors.append(RowError(1, [str(err)]))
        return result
    existing = db.session.scalar(select(ResponsibilityList).where(ResponsibilityList.year == year))
    lookup = _Lookup(existing)
    parsed: list[Parsed] = []
    seen = set(lookup.titles)
    majors_in_file = {_text(c[3]) for _, c in rows if LEVELS.get(_text(c[1]).lower()) == TaskLevel.MAJOR}
    for number, cells in rows:
        problems: list[str] = []
        row = _check_row(number, cells, lookup, problems)
        if row is not None:
            if row.title in seen:
                problems.append(_("the task “%(title)s” is already in the %(year)d list", title=row.title, year=year))
            if row.level == TaskLevel.MINOR and row.parent_title not in majors_in_file | set(lookup.majors):
                problems.append(_("no major task “%(title)s” in the file or the list", title=row.parent_title))
            seen.add(row.title)
        if problems:
            result.errors.append(RowError(number, problems))
        elif row is not None:
            parsed.append(row)
    if not rows:
        result.errors.append(RowError(2, [_("The file has no tasks.")]))
    if not result.errors:
        result.added = _add(list_for(year), parsed, lookup.majors)
    return result


def _add(year_list: ResponsibilityList, parsed: list[Parsed], majors: dict[str, Task]) -> list[Task]:
    number = db.session.scalar(select(func.coalesce(func.max(Task.number), 0)).where(Task.list_id == year_list.id))
    added = []
    for row in sorted(parsed, key=lambda r: (r.level != TaskLevel.MAJOR, r.row)):
        number += 1
        task = Task(
            responsibility_list=year_list,
            indicator=row.indicator,
            parent=majors.get(row.parent_title) if row.level == TaskLevel.MINOR else None,
            level=row.level,
            number=number,
            title=row.title,
            responsible_unit=row.unit,
            co_units=row.co_units,
            deadline=row.deadline,
            expected_result=row.expected,
        )
        db.session.add(task)
        if row.level == TaskLevel.MAJOR:
            majors[row.title] = task
        added.append(task)
    db.session.flush()
    return added


def ordered(year_list: ResponsibilityList) -> list[Task]:
    """The list's tasks in reading order: each major task followed by its minor tasks."""
    tasks = list(year_list.tasks)
    out = []
    for major in (t for t in tasks if t.parent_id is None):
        out.append(major)
        out += [t for t in tasks if t.parent_id == major.id]
    return out


def _workbook(title: str) -> tuple[Workbook, object]:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    return book, sheet


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_list(year_list: ResponsibilityList) -> bytes:
    """The year's list as an .xlsx: the template's columns, then progress and state."""
    book, sheet = _workbook(f"{year_list.year}年责任清单")
    sheet.append(COLUMNS + EXTRA_COLUMNS)
    for task in ordered(year_list):
        sheet.append(
            [
                task.indicator.name,
                LEVEL_NAMES[task.level],
                task.parent.title if task.parent else "",
                task.title,
                task.responsible_unit.name,
                "、".join(u.name for u in task.co_units),
                task.deadline,
                task.expected_result,
                major_progress(task) if task.level == TaskLevel.MAJOR else task.progress,
                STATE_NAMES[task.state],
            ]
        )
        sheet.cell(row=sheet.max_row, column=7).number_format = "yyyy-mm-dd"
    _style(sheet)
    return _save(book)


def template() -> bytes:
    """A blank list to fill in, with the indicators' and units' names on a second sheet."""
    book, sheet = _workbook("责任清单")
    sheet.append(COLUMNS)
    _style(sheet)
    names = book.create_sheet("可填写的名称")
    names.append(["指标", "单位"])
    indicators = [
        i.name for i in db.session.scalars(select(Indicator).where(Indicator.active.is_(True)).order_by(Indicator.sort))
    ]
    units = [u.name for u in db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.id))]
    for n in range(max(len(indicators), len(units))):
        names.append([indicators[n] if n < len(indicators) else None, units[n] if n < len(units) else None])
    return _save(book)


def _style(sheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (16, 6, 30, 40, 28, 36, 12, 40, 8, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
