"""Reference data as files: a new zone starts from a spreadsheet of units (their hierarchy), streets
and towns, categories with their time limits and units, routing rules and staff users, imported from
the XLSX template and exported in the same form (an export imports back as no change).

Importing checks every row first (:mod:`.check`); only a file without errors is written (:mod:`.write`),
so nothing is half-imported. Rows are matched by natural key (a unit's or area's name, a category's
area and name, a rule's category and street, a username): a match is updated, the rest created, and
nothing missing from the file is deleted. New accounts get a generated initial password, returned
once for the administrator to hand over (passwords are never in the file). Nothing here commits: the
caller commits when the result is ``ok`` and rolls back otherwise.
"""

from dataclasses import dataclass, field

from supervise.domain import reference
from supervise.models import User
from supervise.operations import OperationError
from supervise.operations.reference import export, sheets
from supervise.operations.reference.check import Checker
from supervise.operations.reference.sheets import RowError
from supervise.operations.reference.write import Change, write


@dataclass
class ImportResult:
    """What an import did: its errors (then nothing was written), or the rows that created or updated
    something, how many rows were already as the file says, and the new accounts' initial passwords."""

    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> list[Change]:
        return [c for c in self.changes if c.created]

    @property
    def updated(self) -> list[Change]:
        return [c for c in self.changes if not c.created]


def import_workbook(actor: User | None, stream) -> ImportResult:
    """Import the workbook read from ``stream`` (a binary file) on behalf of ``actor`` (None: a command)."""
    rows, errors = sheets.read_workbook(stream)
    if errors:
        return ImportResult(errors=errors)
    plan = Checker(actor, errors).check(rows)
    if errors:
        return ImportResult(errors=errors)
    try:
        written = write(actor, plan)
    except OperationError as err:  # a rule the checks do not know: report it, the caller rolls back
        return ImportResult(errors=[RowError("", None, err.field, str(err.message))])
    reference.changed()
    return ImportResult(changes=written.changes, unchanged=written.unchanged, passwords=written.passwords)


def export_workbook() -> bytes:
    """Every unit, street, category, active routing rule and staff account, as the template lays them out."""
    return sheets.write_workbook(export.values())


def template_workbook() -> bytes:
    """The empty template: every sheet with its headers (required columns marked with *)."""
    return sheets.write_workbook({})
