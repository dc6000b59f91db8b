"""The rows of the public lists (the disclosure list, the home page's latest problems): only the
columns a row shows, in a fixed number of queries whatever the number of rows.

A row is read as a partial Ticket (``load_only``),
the names of its category and lead unit come from the process's reference data
(:mod:`supervise.domain.reference`), and the terms that mask its title — the enterprise's names and
aliases, the ticket's own terms, the people's names — are gathered for the whole page in two
queries. The enterprise itself is never loaded, and no row carries anything of it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import load_only

from supervise import paging
from supervise.domain import clocks
from supervise.domain.disclosure import ORDER, PublicFilters, page_query
from supervise.domain.redaction import identity_terms, redact
from supervise.domain.reference import Reference
from supervise.extensions import db
from supervise.models import Enterprise, RedactionTerm, State, Ticket

#: What a row reads of its ticket: what it shows, and what decides "overdue" (clocks.overdue_level).
COLUMNS = (
    Ticket.tracking_no,
    Ticket.public_title,
    Ticket.category_id,
    Ticket.lead_unit_id,
    Ticket.state,
    Ticket.published_at,
    Ticket.rating,
    Ticket.overdue_at,
    Ticket.replied_at,
    Ticket.handle_due,
    Ticket.handle_days,
    Ticket.accept_due,
    Ticket.enterprise_id,
    Ticket.contact_name,
)


@dataclass(frozen=True)
class PublicListItem:
    """One row of a public list: masked title, names, state and dates; never the enterprise."""

    tracking_no: str
    title: str
    category: str
    lead_unit: str
    state: State
    published_at: datetime | None
    overdue: bool
    overdue_level: str | None  # clocks.overdue_level: red (严重超期) | orange (已超期) | None
    rating: int | None


def terms_by_ticket(tickets: list[Ticket]) -> dict[int, list[str]]:
    """The masking terms of each ticket (as :func:`supervise.domain.redaction.terms_for`), in two queries."""
    enterprise_ids = {t.enterprise_id for t in tickets if t.enterprise_id is not None}
    enterprises = {}
    if enterprise_ids:
        rows = db.session.execute(
            select(Enterprise.id, Enterprise.name, Enterprise.aliases, Enterprise.contact_name).where(
                Enterprise.id.in_(enterprise_ids)
            )
        )
        enterprises = {row.id: row for row in rows}
    own: dict[int, list[str]] = defaultdict(list)
    if tickets:
        rows = db.session.execute(
            select(RedactionTerm.ticket_id, RedactionTerm.term)
            .where(RedactionTerm.ticket_id.in_([t.id for t in tickets]))
            .order_by(RedactionTerm.id)
        )
        for ticket_id, term in rows:
            own[ticket_id].append(term)
    terms = {}
    for t in tickets:
        company = enterprises.get(t.enterprise_id)
        names = Enterprise.terms_of(company.name, company.aliases) if company else []
        terms[t.id] = identity_terms(names, own[t.id], (t.contact_name, company.contact_name if company else None))
    return terms


def items(tickets: list[Ticket], ref: Reference, at: datetime) -> list[PublicListItem]:
    """The list rows of ``tickets`` (read by :func:`page`)."""
    terms = terms_by_ticket(tickets)
    return [
        PublicListItem(
            tracking_no=t.tracking_no,
            title=redact(t.public_title, terms[t.id]),
            category=ref.category_name(t.category_id),
            lead_unit=ref.unit_name(t.lead_unit_id),
            state=t.state,
            published_at=t.published_at,
            overdue=clocks.was_overdue(t, at),
            overdue_level=clocks.overdue_level(t, ref.calendar, at),
            rating=t.rating.value if t.rating else None,
        )
        for t in tickets
    ]


def page(
    filters: PublicFilters, cursor: str | None, ref: Reference, at: datetime, per_page: int = 20
) -> tuple[list[PublicListItem], str | None]:
    """One keyset page of the published list as rows, and the cursor of the next page (None: last)."""
    query = page_query(filters, cursor, per_page).options(load_only(*COLUMNS))
    tickets, next_cursor = paging.split(list(db.session.scalars(query)), ORDER, per_page)
    return items(tickets, ref, at), next_cursor
