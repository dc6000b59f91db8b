"""Likely duplicates (疑似重复) of a ticket among the open tickets, offered to the supervisor for a merge.

Two rules, each answered from an index so a page stays fast at a million tickets:

- **the same company and category** within :data:`WINDOW` of each other (the index
  ``ix_tickets_company_category``: enterprise, category, creation time);
- **close text**: titles whose trigram similarity reaches :data:`TEXT_SIMILARITY`. PostgreSQL asks the
  pg_trgm GIN index ``ix_tickets_open_title_trgm``, partial on the open states (migration
  ``duplicate_hints``), so closed tickets never enter it; a queue's count first takes the very same title
  from the btree ``ix_tickets_open_title`` (migration ``open_title_index``, which stops at the limit where
  the GIN index reads every match). SQLite (development and tests) has no trigram
  index: it compares with the newest :data:`SQLITE_TEXT_WINDOW` open tickets in Python, with the same
  measure as pg_trgm (words padded, trigram sets, shared over all), so both databases agree.

Only open tickets are candidates, and only open tickets can be merged (the ``merge`` transition). The
queue asks :func:`counts` once for the page's rows; a ticket's page asks :func:`candidates`.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true, union_all
from sqlalchemy.orm import joinedload

from supervise.domain.clocks import OPEN_STATES
from supervise.extensions import db
from supervise.models import Category, Ticket

#: Complaints of one company in one category filed this close together are likely the same matter.
WINDOW = timedelta(days=30)
#: pg_trgm's default threshold for ``%``: at 0.3 the same sentence reworded still matches.
TEXT_SIMILARITY = 0.3
#: At most this many candidates are shown (and counted) per ticket.
LIMIT = 8
#: SQLite only: how many of the newest open tickets the text rule compares with.
SQLITE_TEXT_WINDOW = 1000

# The stored values of the open states, in a fixed order: the partial trigram index is declared with
# exactly this list (the planner uses it only when the query names the same states).
OPEN_VALUES = sorted(s.value for s in OPEN_STATES)

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Candidate:
    """An open ticket that may be the same matter, and why it was found."""

    ticket: Ticket
    same_company: bool
    close_text: bool


# ---------------------------------------------------------------- the text measure (SQLite)


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of ``text``: each word lower-cased, padded with two spaces before and one after."""
    found: set[str] = set()
    for word in _WORD.findall((text or "").lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity(a, b)``: shared trigrams over all trigrams of both."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


# ---------------------------------------------------------------- the rules as queries


def _open() -> ColumnElement[bool]:
    return Ticket.state.in_(OPEN_VALUES)


def _same_company(tickets: list[Ticket]) -> ColumnElement[bool]:
    """Tickets of the same company and category as one of ``tickets``, filed within the window."""
    return or_(
        *(
            and_(
                Ticket.enterprise_id == t.enterprise_id,
                Ticket.category_id == t.category_id,
                Ticket.created_at.between(t.created_at - WINDOW, t.created_at + WINDOW),
            )
            for t in tickets
        )
    )


def _company_pairs(tickets: list[Ticket], scope: ColumnElement[bool]) -> set[tuple[int, int]]:
    """(ticket id, candidate id) by the company rule, in one query for all of ``tickets``."""
    rows = db.session.execute(
        select(Ticket.id, Ticket.enterprise_id, Ticket.category_id, Ticket.created_at).where(
            _open(), scope, _same_company(tickets)
        )
    ).all()
    by_company: dict[tuple[int, int], list] = defaultdict(list)
    for row in rows:
        by_company[(row.enterprise_id, row.category_id)].append(row)
    return {
        (t.id, row.id)
        for t in tickets
        for row in by_company[(t.enterprise_id, t.category_id)]
        if row.id != t.id and abs(row.created_at - t.created_at) <= WINDOW
    }


def text_query(ticket_ids: list[int], scope: ColumnElement[bool], closest_first: bool = True) -> Select:
    """PostgreSQL: (ticket id, candidate id, similarity) by the text rule for ``ticket_ids``, in one
    statement: a lateral lookup per ticket, at most :data:`LIMIT` each, the closest first.

    Without ``closest_first`` it takes any :data:`LIMIT` close tickets instead, which is enough to count
    (see :func:`counts`) and bounded however many open tickets share a title, where ranking them must
    score every one (thousands for a common title at a million tickets): first those with the very same
    title (the btree ``ix_tickets_open_title``, which stops at the limit), and only when they fall short
    the other close ones from the trigram index (which reads every match before it answers)."""
    # The tickets asked about, by the two columns the lookup needs (not an alias of the whole row).
    source = select(Ticket.id, Ticket.title).where(Ticket.id.in_(ticket_ids)).subquery("source")
    score = func.similarity(Ticket.title, source.c.title)

    def close(*criteria: ColumnElement[bool]) -> Select:
        return (
            select(Ticket.id.label("candidate_id"), score.label("score"))
            .where(_open(), scope, Ticket.id != source.c.id, *criteria)
            .correlate(source)
        )

    if closest_first:
        found = close(Ticket.title.op("%")(source.c.title)).order_by(score.desc(), Ticket.id.desc()).limit(LIMIT)
    else:  # the two parts do not overlap; PostgreSQL runs the second only if the first yields too few
        either = union_all(
            close(Ticket.title == source.c.title).limit(LIMIT),
            close(Ticket.title.op("%")(source.c.title), Ticket.title != source.c.title).limit(LIMIT),
        ).subquery("either")
        found = select(either).limit(LIMIT)
    close_ones = found.lateral("close")
    return select(source.c.id, close_ones.c.candidate_id, close_ones.c.score).join_from(source, close_ones, true())


def _text_pairs_postgresql(
    tickets: list[Ticket], scope: ColumnElement[bool], closest_first: bool
) -> dict[tuple[int, int], float]:
    rows = db.session.execute(text_query([t.id for t in tickets], scope, closest_first)).all()
    return {(row[0], row[1]): float(row[2]) for row in rows}


def _text_pairs_python(tickets: list[Ticket], scope: ColumnElement[bool]) -> dict[tuple[int, int], float]:
    """The same as :func:`_text_pairs_postgresql` without a trigram index: the newest open tickets."""
    rows = db.session.execute(
        select(Ticket.id, Ticket.title).where(_open(), scope).order_by(Ticket.id.desc()).limit(SQLITE_TEXT_WINDOW)
    ).all()
    found = {}
    for t in tickets:
        for row in rows:
            score = similarity(t.title, row.title) if row.id != t.id else 0.0
            if score >= TEXT_SIMILARITY:
                found[(t.id, row.id)] = score
    return found


def _text_pairs(tickets: list[Ticket], scope: ColumnElement[bool], closest_first: bool) -> dict[tuple[int, int], float]:
    if db.session.get_bind(mapper=Ticket.__mapper__).dialect.name == "postgresql":
        return _text_pairs_postgresql(tickets, scope, closest_first)
    return _text_pairs_python(tickets, scope)


def _pairs(
    tickets: list[Ticket], scope: ColumnElement[bool], closest_first: bool = True
) -> dict[int, dict[int, tuple[bool, float]]]:
    """For each open ticket of ``tickets``: candidate id -> (same company, text similarity); by the text
    rule the closest :data:`LIMIT`, or any :data:`LIMIT` of them unless ``closest_first``."""
    tickets = [t for t in tickets if t.state in OPEN_STATES]
    found: dict[int, dict[int, tuple[bool, float]]] = {t.id: {} for t in tickets}
    if not tickets:
        return found
    text = _text_pairs(tickets, scope, closest_first)
    for ticket_id, candidate_id in _company_pairs(tickets, scope):
        found[ticket_id][candidate_id] = (True, text.get((ticket_id, candidate_id), 0.0))
    for (ticket_id, candidate_id), score in text.items():
        found[ticket_id].setdefault(candidate_id, (False, score))
    return found


def _ranked(found: dict[int, tuple[bool, float]]) -> list[int]:
    """Candidate ids, the closest first (same company before text alone, then similarity, newest)."""
    return sorted(found, key=lambda cid: (not found[cid][0], -found[cid][1], -cid))[:LIMIT]


# ---------------------------------------------------------------- the answers


def counts(tickets: list[Ticket], scope: ColumnElement[bool] | None = None) -> dict[int, int]:
    """How many likely duplicates each of ``tickets`` has (at most :data:`LIMIT`), for a queue page:
    two queries for the whole page, whatever its length. Tickets without any are left out.

    The count is the same whichever close tickets the text rule takes, so it takes the first it finds
    rather than ranking them all: when a ticket has :data:`LIMIT` or more close ones the count is
    :data:`LIMIT` either way, and with fewer it found them all."""
    pairs = _pairs(tickets, true() if scope is None else scope, closest_first=False)
    return {tid: len(_ranked(found)) for tid, found in pairs.items() if found}


def candidates(ticket: Ticket, scope: ColumnElement[bool] | None = None) -> list[Candidate]:
    """The open tickets that are likely duplicates of ``ticket``, the closest first; ``scope`` limits them
    to what the viewer may see. Empty when ``ticket`` itself is no longer open."""
    found = _pairs([ticket], true() if scope is None else scope).get(ticket.id, {})
    ids = _ranked(found)
    if not ids:
        return []
    loaded = {
        t.id: t
        for t in db.session.scalars(
            select(Ticket)
            .where(Ticket.id.in_(ids))
            .options(joinedload(Ticket.enterprise), joinedload(Ticket.category).joinedload(Category.parent))
        )
    }
    return [
        Candidate(loaded[cid], same_company=found[cid][0], close_text=found[cid][1] >= TEXT_SIMILARITY)
        for cid in ids
        if cid in loaded
    ]
