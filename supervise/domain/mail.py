"""What may go into an e-mail: which addresses are accepted, and what a header value may hold.

One rule for e-mail addresses wherever one enters (registration, settings, intake, Open311, the admin
forms, and the models as a last guard), so that an address that was accepted can be written into a
``To:`` header. Header values (subjects built from ticket titles) are kept to one line: a title with
CR/LF in it would otherwise make the mail library refuse every mail about that ticket.
"""

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

EMAIL_MAX = 120  # the columns that hold an address
SUBJECT_MAX = 200  # the column that holds a subject

# Line breaks, other control characters, and the Unicode line and paragraph separators.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class InvalidEmail(ValueError):
    """An address that the rule refuses; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def normalize_email(value: str | None) -> str | None:
    """The address as it is stored (domain in lower case), or None when nothing was given.

    Raises :class:`InvalidEmail` for anything that is not one plain, globally deliverable address of
    at most :data:`EMAIL_MAX` characters: no display name, no quoted or non-ASCII local part (not
    every mail server takes SMTPUTF8), no line breaks. The domain's DNS is not consulted, so the rule
    gives the same answer offline and on every machine.
    """
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > EMAIL_MAX:
        raise InvalidEmail(_l("An e-mail address has at most %(n)s characters.", n=EMAIL_MAX))
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError:
        raise InvalidEmail(_l("Enter a valid e-mail address.")) from None


def single_line(value: str) -> str:
    """``value`` fit for a mail header: every run of line breaks or control characters becomes one
    space, and the ends are trimmed."""
    return _BREAKS.sub(" ", value).strip()


def subject_line(value: str) -> str:
    """The subject of a message as it is stored and sent: one line, at most :data:`SUBJECT_MAX`."""
    return single_line(value)[:SUBJECT_MAX]
