"""Masking of personal and enterprise identifiers in every public text.

Known patterns (credit codes, ID numbers, mobile and landline numbers, e-mail addresses) are masked
always; per-ticket terms (the enterprise's names and aliases, people's names) are masked as given.
"""

import re
from collections.abc import Iterable

from supervise.models import Ticket

MASK = "＊＊＊"
TERM_MASK = "某某"

_PATTERNS = [
    # e-mail first, so that digits inside an address do not become a phone number
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    # credit code (18 of the GB 32100 alphabet, at least one letter or a valid digit run) and ID number
    re.compile(
        r"(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{2}\d{6}[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{10}(?![0-9A-Za-z])"
    ),
    re.compile(r"(?<!\d)\d{17}[\dXx](?![0-9A-Za-z])"),
    re.compile(r"(?<!\d)\d{15}(?!\d)"),  # first-generation ID numbers
    # mobile: 1[3-9] + 9 digits, optionally +86 and spaced or hyphenated in 3-4-4
    re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)"),
    # landline: area code 0xx(x) then 7-8 digits, optional extension
    re.compile(r"(?<!\d)(?:\(?0\d{2,3}\)?[-\s]?)\d{7,8}(?:[-转]\d{1,6})?(?!\d)"),
    # a bare 7-8 digit local number after a phone word
    re.compile(r"(?<=电话)[:：\s]*\d{7,8}(?!\d)"),
]


def redact(text: str | None, terms: Iterable[str] = ()) -> str:
    """``text`` with every identifier masked; ``terms`` longest first so that overlaps mask whole."""
    if not text:
        return ""
    for term in sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True):
        text = text.replace(term, TERM_MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def terms_for(ticket: Ticket) -> list[str]:
    """Everything to mask in this ticket's public texts: enterprise names, aliases, per-ticket terms,
    and the names of the people on the ticket."""
    return identity_terms(
        ticket.enterprise.redaction_terms(),
        [t.term for t in ticket.redaction_terms],
        (ticket.contact_name, ticket.enterprise.contact_name),
    )


def identity_terms(enterprise_names: list[str], ticket_terms: list[str], people: Iterable[str | None]) -> list[str]:
    """The terms to mask, from their parts: the enterprise's names and aliases, the ticket's own terms,
    and the people's names (of two characters or more: a single one would mask every such character)."""
    return [*enterprise_names, *ticket_terms, *(n for n in people if n and len(n) >= 2)]
