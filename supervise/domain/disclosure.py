"""Disclosure (晒问题、晒结果): the only road from a ticket to anything public.

Public pages, feeds, exports and APIs read :class:`PublicTicket` and :class:`PublicEvent`, built here
from the moderated texts with every identifier masked; they never see the ticket itself.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from supervise import paging
from supervise.domain import clocks, deadlines, reference, search
from supervise.domain.calendar import WorkingCalendar
from supervise.domain.clocks import OPEN_STATES
from supervise.domain.redaction import redact, terms_for
from supervise.models import Category, Enterprise, State, Ticket

# Only a progress note the unit marked public is written for the public; every other note on a
# public event (a rating comment, a reply before moderation, an instruction) stays off the page.
PUBLIC_NOTE_ACTIONS = frozenset({"note"})


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    action: str
    to_state: State | None
    note: str


@dataclass(frozen=True)
class PublicRating:
    """One round of the enterprise's rating, and what the supervisor made of a bad one."""

    round: int
    at: datetime
    rating: int
    solved: bool | None
    followed_by: str  # "reopen", "uphold" or "" (closed by the rating, or still under review)


@dataclass(frozen=True)
class PublicTicket:
    tracking_no: str
    title: str
    summary: str
    reply: str
    category: str
    area_name: str
    enterprise_label: str
    lead_unit: str
    lead_unit_id: int | None
    co_units: list[str]
    state: State
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    handle_due: datetime | None
    working_days_taken: int | None
    on_time: bool | None  # None while open and not yet late
    overdue: bool
    overdue_level: str | None  # red (seriously overdue) | orange (overdue) | None: clocks.overdue_level
    rating: int | None
    solved: bool | None
    reopen_count: int
    result_published: bool
    events: list[PublicEvent]
    ratings: tuple[PublicRating, ...] = ()  # every round, oldest first (with the events only)


def rating_rounds(ticket: Ticket) -> tuple[PublicRating, ...]:
    """Every rating the enterprise gave ``ticket``, round by round: a reopen clears the ticket's rating,
    the timeline keeps each one."""
    rounds: list[dict] = []
    for e in ticket.events:
        if e.action == "rate" and (e.data or {}).get("rating"):
            rounds.append({"at": e.at, "rating": e.data["rating"], "solved": e.data.get("solved"), "then": ""})
        elif e.action in ("reopen", "uphold") and rounds and not rounds[-1]["then"]:
            rounds[-1]["then"] = e.action
    return tuple(
        PublicRating(i, r["at"], int(r["rating"]), r["solved"], r["then"]) for i, r in enumerate(rounds, start=1)
    )


def public_view(ticket: Ticket, cal: WorkingCalendar, at: datetime, with_events: bool = True) -> PublicTicket:
    terms = terms_for(ticket)
    overdue = clocks.was_overdue(ticket, at)
    finished = ticket.closed_at or ticket.replied_at
    on_time = (not overdue) if (finished or overdue) else None
    events = []
    if with_events:
        events = [
            PublicEvent(e.at, e.action, e.to_state, redact(e.note, terms) if e.action in PUBLIC_NOTE_ACTIONS else "")
            for e in ticket.events
            if e.public
        ]
    result = ticket.result_published_at is not None
    ref = reference.get()  # the names, from the process's copy rather than three more queries
    return PublicTicket(
        tracking_no=ticket.tracking_no,
        title=redact(ticket.public_title, terms),
        summary=redact(ticket.public_summary, terms),
        reply=redact(ticket.public_reply, terms) if result else "",
        category=ref.category_name(ticket.category_id),
        area_name=ref.area_name(ticket.area_id),
        enterprise_label=ticket.enterprise.public_label,
        lead_unit=ref.unit_name(ticket.lead_unit_id),
        lead_unit_id=ticket.lead_unit_id,
        co_units=[u.name for u in ticket.co_units],
        state=ticket.state,
        created_at=ticket.created_at,
        published_at=ticket.published_at,
        closed_at=ticket.closed_at,
        handle_due=ticket.handle_due,
        working_days_taken=deadlines.working_days_taken(cal, ticket.dispatched_at or ticket.created_at, finished or at),
        on_time=on_time,
        overdue=overdue,
        overdue_level=clocks.overdue_level(ticket, cal, at) if overdue else None,
        rating=ticket.rating.value if ticket.rating else None,
        solved=ticket.rating_solved,
        reopen_count=ticket.reopen_count,
        result_published=result,
        events=events,
        ratings=rating_rounds(ticket) if with_events else (),
    )


def followed_view(merged: Ticket, cal: WorkingCalendar, at: datetime) -> PublicTicket | None:
    """The ticket ``merged`` was merged into, as its filer follows it: the public view (masked: it may be
    another company's), with the latest reply sent to its enterprise, masked the same way, in ``reply``
    (before any publication). None when ``merged`` was not merged."""
    from supervise.domain.workflow.merging import reply_text_for_merged, surviving

    survivor = surviving(merged)
    if survivor is None:
        return None
    view = public_view(survivor, cal, at)
    # approved_at: a reply sent and not yet superseded by a reopen (a new reply may be under review)
    return replace(view, reply=reply_text_for_merged(survivor) if survivor.approved_at is not None else "")


@dataclass(frozen=True)
class PublicFilters:
    category_id: int | None = None
    unit_id: int | None = None
    state: str | None = None  # "open" | "closed" | a State value
    since: date | None = None
    until: date | None = None
    q: str | None = None  # words to search for in the public texts (supervise.domain.search)


def published_query(filters: PublicFilters) -> Select:
    query = select(Ticket).where(Ticket.published_at.is_not(None))
    if filters.category_id:
        sub = select(Category.id).where(
            or_(Category.id == filters.category_id, Category.parent_id == filters.category_id)
        )
        query = query.where(Ticket.category_id.in_(sub))
    if filters.unit_id:
        query = query.where(Ticket.lead_unit_id == filters.unit_id)
    if filters.state == "closed":
        query = query.where(Ticket.state == State.CLOSED)
    elif filters.state == "open":
        query = query.where(Ticket.state.in_(OPEN_STATES))
    elif filters.state in State._value2member_map_:
        query = query.where(Ticket.state == State(filters.state))
    if filters.since:
        query = query.where(Ticket.published_at >= datetime.combine(filters.since, datetime.min.time()))
    if filters.until:
        query = query.where(Ticket.published_at <= deadlines.end_of(filters.until))
    matching = search.search_clause(filters.q) if filters.q else None
    if matching is not None:
        query = query.where(matching)
    return query


#: The public list's order, newest published first (the index on (published_at, id) answers it).
ORDER = (Ticket.published_at, Ticket.id)


def encode_cursor(ticket: Ticket) -> str:
    """The cursor of ``ticket``'s place in the public list (see :mod:`supervise.paging`)."""
    return paging.encode(ticket, ORDER)


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The position :func:`encode_cursor` wrote; None for anything else (the list starts over)."""
    return paging.decode(cursor, ORDER)


#: A search on PostgreSQL first looks among this many of the newest published tickets that pass the
#: other filters (after the page's cursor), reading each one's stored search vector: a frequent word is
#: found there in a few milliseconds, where the whole index would hand over every match to be sorted by
#: date. Only when the window holds less than a page does the index answer alone: the word is rare
#: among recent tickets, and its matches few enough to sort. SQLite's FTS5 answers directly.
SEARCH_WINDOW = 5000


def _search_ids(filters: PublicFilters, after: tuple[datetime, int] | None, limit: int) -> list[int] | None:
    """The ids of the first ``limit`` tickets matching ``filters`` (with words to search for) after
    ``after``, newest first, on PostgreSQL; None where the database keeps no search vector."""
    from supervise.extensions import db

    vector = search.stored_vector()
    if vector is None:
        return None
    window = (
        paging.after(published_query(replace(filters, q=None)), ORDER, after)
        .with_only_columns(Ticket.id, Ticket.published_at, vector.label("vector"))
        .order_by(Ticket.published_at.desc(), Ticket.id.desc())
        .limit(SEARCH_WINDOW)
        .subquery()
    )
    ids = list(
        db.session.scalars(
            select(window.c.id)
            .where(search.vector_matches(window.c.vector, filters.q))
            .order_by(window.c.published_at.desc(), window.c.id.desc())
            .limit(limit)
        )
    )
    if len(ids) == limit:
        return ids
    # Every match from the GIN index, then the page's. Materialized, so that the planner cannot walk
    # the date index instead, testing row after row (it takes the word for as common among the newest
    # tickets as anywhere, which the window has just shown it is not), nor combine the index with the
    # cursor's range, hundreds of thousands of rows.
    matches = (
        published_query(filters)
        .with_only_columns(Ticket.id, Ticket.published_at)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    return list(
        db.session.scalars(
            paging.after(select(matches.c.id), (matches.c.published_at, matches.c.id), after)
            .order_by(matches.c.published_at.desc(), matches.c.id.desc())
            .limit(limit)
        )
    )


def page_query(filters: PublicFilters, cursor: str | None, per_page: int) -> Select:
    """The query of one keyset page (one row more than ``per_page``: whether a next page exists)."""
    after = decode_cursor(cursor)
    ids = _search_ids(filters, after, per_page + 1) if search.query_terms(filters.q) else None
    if ids is not None:
        query = select(Ticket).where(Ticket.id.in_(ids))
    else:
        query = paging.after(published_query(filters), ORDER, after).limit(per_page + 1)
    return query.order_by(Ticket.published_at.desc(), Ticket.id.desc())


def published_page(filters: PublicFilters, cursor: str | None, per_page: int = 20) -> tuple[list[Ticket], str | None]:
    """One page of published tickets, newest first, by keyset: no OFFSET however deep the page; with
    everything :func:`public_view` reads (the feeds)."""
    from supervise.extensions import db

    query = page_query(filters, cursor, per_page).options(
        selectinload(Ticket.category).selectinload(Category.parent),
        selectinload(Ticket.lead_unit),
        selectinload(Ticket.enterprise),
        selectinload(Ticket.area),
        selectinload(Ticket.redaction_terms),
        selectinload(Ticket.co_units),
    )
    return paging.split(list(db.session.scalars(query)), ORDER, per_page)


def published_ticket(tracking_no: str) -> Ticket | None:
    from supervise.extensions import db

    return db.session.scalar(
        select(Ticket)
        .where(Ticket.tracking_no == tracking_no, Ticket.published_at.is_not(None))
        .options(
            selectinload(Ticket.events),
            joinedload(Ticket.enterprise).load_only(
                Enterprise.name, Enterprise.aliases, Enterprise.contact_name, Enterprise.industry
            ),
        )
    )
