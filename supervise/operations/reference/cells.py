"""Reading one cell of a reference-data row into a value, with the row-level error when it cannot be."""

import re
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l

from supervise.domain import mail
from supervise.forms_common import MOBILE
from supervise.operations.reference.sheets import LIST_SEPARATORS, Row, RowError, spellings

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,60}$")
YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")


class Cells:
    """Reads cells and collects what is wrong with them."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors

    def error(self, row: Row, key: str | None, message: Any) -> None:
        column = row.sheet.label(key) if key else None
        self.errors.append(RowError(str(row.sheet.title), row.number, column, str(message)))

    def text(self, row: Row, key: str, max_length: int) -> str:
        """The cell's text; an error when a required cell is empty or the text is too long."""
        value = row.get(key)
        required = next(c.required for c in row.sheet.columns if c.key == key)
        if required and not value:
            self.error(row, key, _l("Fill in this cell."))
        elif len(value) > max_length:
            self.error(row, key, _l("At most %(n)d characters.", n=max_length))
        return value

    def choice(self, row: Row, key: str, mapping: dict[Enum, Any], default: Enum | None = None) -> Enum | None:
        """One of ``mapping``'s members, written as its label (in any language) or its code."""
        value = self.text(row, key, 100).casefold()
        if not value:
            return default
        for member, label in mapping.items():
            if value in spellings(label, member.value):
                return member
        self.error(row, key, _l("Not one of: %(choices)s.", choices="、".join(str(v) for v in mapping.values())))
        return default

    def flag(self, row: Row, key: str) -> bool:
        """Yes or no (empty: yes)."""
        value = row.get(key).casefold()
        if not value or value in YES or value in spellings(_l("Yes")):
            return True
        if value in NO or value in spellings(_l("No")):
            return False
        self.error(row, key, _l("Write yes or no."))
        return True

    def number(self, row: Row, key: str) -> int:
        """A whole number from -9999 to 9999 (empty: 0)."""
        value = row.get(key)
        try:
            number = int(value or 0)
        except ValueError:
            number = None
        if number is None or not -9999 <= number <= 9999:
            self.error(row, key, _l("Write a whole number from -9999 to 9999."))
            return 0
        return number

    def names(self, row: Row, key: str) -> list[str]:
        """Several names in one cell, one per line or separated by 、 , or ;."""
        value = row.get(key)
        for separator in LIST_SEPARATORS[1:]:
            value = value.replace(separator, LIST_SEPARATORS[0])
        return [name.strip() for name in value.split(LIST_SEPARATORS[0]) if name.strip()]

    def username(self, row: Row, key: str) -> str:
        value = self.text(row, key, 60)
        if value and not USERNAME.match(value):
            self.error(row, key, _l("3 to 60 letters, digits, dots, dashes or underscores."))
        return value

    def mobile(self, row: Row, key: str) -> str | None:
        value = row.get(key).replace(" ", "").replace("-", "")
        if value and not MOBILE.match(value):
            self.error(row, key, _l("Enter an 11-digit mainland mobile number."))
        return value or None

    def email(self, row: Row, key: str) -> str | None:
        try:
            return mail.normalize_email(row.get(key))
        except mail.InvalidEmail as err:
            self.error(row, key, err.message)
            return None
