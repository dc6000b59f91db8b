"""Search of published tickets in Chinese, answered from an index on both databases.

Chinese has no spaces between words, so a ticket's public texts are indexed as overlapping character
bigrams (稳岗返还 -> 稳岗 岗返 返还) and a query is cut the same way: a ticket matches when it holds
every bigram of the query, so any word of two characters or more (补贴, 入学, 稳岗返还) is found
(the bigrams need not be adjacent in the ticket: a rare false match, never a miss).
Latin letters and digits are indexed as lower-case words. The terms live in ``Ticket.search_doc``
(space-separated); PostgreSQL computes from it the stored 'simple' tsvector ``tickets.search_vector``
and indexes that with GIN (migration ``search_vector``), SQLite indexes it with the FTS5 table
``tickets_fts`` kept in step by triggers (migration ``measures_search``).

A single Chinese character is found too, without indexing every character: each run of Chinese text
also contributes its last character, so a one-character query is a prefix search (``补:*``) that
matches the bigrams starting with it plus the run-final character — every occurrence. That costs one
term per run of text (punctuation ends a run) instead of one per character, which is what indexing
all unigrams would cost at a million tickets (about doubling the index, with huge posting lists for
the commonest characters).

Only public texts are indexed, taken as the public page shows them (masked with the ticket's
redaction terms): an enterprise name, a person's name or a phone number cannot be searched for.
"""

import re
import unicodedata

from sqlalchemy import ColumnElement, func, literal_column, select, text
from sqlalchemy.orm import selectinload

from supervise.domain import workflow
from supervise.domain.redaction import redact, terms_for
from supervise.extensions import db
from supervise.models import Category, Ticket, TicketEvent

# Han ideographs (unified, extension A, compatibility, the supplementary planes) and kana.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")

#: A query is cut to at most this many terms (a 25-character phrase); the rest adds little.
MAX_QUERY_TERMS = 24


def _terms(value: str, run_final: bool) -> list[str]:
    """Bigrams of the Chinese runs (with each run's last character when ``run_final``) and the
    lower-case words of ``value``, in order of first appearance, without repeats."""
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(unicodedata.normalize("NFKC", value or "").lower()):
        run = match.group("cjk")
        if run is None:
            found[match.group("word")] = None
            continue
        for i in range(len(run) - 1):
            found[run[i : i + 2]] = None
        if run_final or len(run) == 1:
            found[run[-1]] = None
    return list(found)


def document(texts: list[str]) -> str:
    """The search document of ``texts``: space-separated, deduplicated terms."""
    found: dict[str, None] = {}
    for value in texts:
        found.update(dict.fromkeys(_terms(value, run_final=True)))
    return " ".join(found)


def query_terms(q: str | None) -> list[str]:
    """The terms a ticket must all hold to match the query ``q``: 补贴 -> [补贴];
    稳岗返还 -> [稳岗, 岗返, 返还]; a lone Chinese character -> that character (matched as a prefix)."""
    return _terms(q or "", run_final=False)[:MAX_QUERY_TERMS]


def _is_prefix(term: str) -> bool:
    """A lone Chinese character is looked up as the prefix of the bigrams it begins."""
    return len(term) == 1 and _TOKEN.fullmatch(term).group("cjk") is not None


def public_texts(ticket: Ticket) -> list[str]:
    """What the public page shows of ``ticket`` that is worth searching, masked as shown there."""
    terms = terms_for(ticket)
    texts = [redact(ticket.public_title, terms), redact(ticket.public_summary, terms)]
    if ticket.result_published_at is not None:
        texts.append(redact(ticket.public_reply, terms))
    texts.append(ticket.category.full_name)
    texts += [ticket.area.name if ticket.area else "", ticket.lead_unit.name if ticket.lead_unit else ""]
    return texts


def document_for(ticket: Ticket) -> str | None:
    """The search document of ``ticket``; None while it is not published (never found)."""
    if ticket.published_at is None:
        return None
    return document(public_texts(ticket)) or None


def refresh(ticket: Ticket) -> bool:
    """Bring ``ticket.search_doc`` up to date (the caller commits); True when it changed."""
    with db.session.no_autoflush:
        doc = document_for(ticket)
    if doc == ticket.search_doc:
        return False
    ticket.search_doc = doc
    return True


def on_event_recorded(event: TicketEvent) -> None:
    """Keep search documents current: refresh a ticket's document in the transaction of each event
    that may change it (a receiver of :data:`workflow.event_recorded`). Transitions after which the
    indexed texts may differ (publication, masking, the lead unit) say so in their declaration."""
    spec = workflow.TRANSITIONS.get(event.action)
    if spec is not None and spec.refresh_search:
        refresh(event.ticket)


def _postgres_query(terms: list[str]) -> str:
    """A tsquery of ``terms`` (word characters only, quoted all the same), all required."""
    return " & ".join("'{}'{}".format(t.replace("'", "''"), ":*" if _is_prefix(t) else "") for t in terms)


def _fts5_query(terms: list[str]) -> str:
    """An FTS5 query of ``terms``, each a quoted string (a lone character as a prefix), all required."""
    return " ".join('"{}"{}'.format(t.replace('"', '""'), "*" if _is_prefix(t) else "") for t in terms)


_VECTOR = "tickets.search_vector"


def stored_vector() -> ColumnElement | None:
    """PostgreSQL's search vector of each ticket, ``tickets.search_vector``: a column the database
    computes from ``search_doc`` (the migration ``search_vector``) and indexes with GIN, so a window
    of rows can be tested without parsing their documents; None on other databases."""
    if _dialect() != "postgresql":
        return None
    return literal_column(_VECTOR)


def vector_matches(vector: ColumnElement, q: str | None) -> ColumnElement:
    """PostgreSQL: ``vector`` (a stored search vector) holds every term of ``q``; the text of ``q``
    travels as a bound parameter."""
    return vector.op("@@")(func.to_tsquery(literal_column("'simple'"), _postgres_query(query_terms(q))))


def _dialect() -> str:
    return db.session.get_bind(mapper=Ticket.__mapper__).dialect.name


def search_clause(q: str | None, dialect: str | None = None) -> ColumnElement | None:
    """A WHERE clause for tickets matching every term of ``q``, answered from the search index;
    None when ``q`` has no term (no filter). The user's text only ever travels as a bound parameter."""
    terms = query_terms(q)
    if not terms:
        return None
    dialect = dialect or _dialect()
    if dialect == "postgresql":
        return vector_matches(literal_column(_VECTOR), q)
    if dialect == "sqlite":
        matching = (
            select(literal_column("rowid"))
            .select_from(text("tickets_fts"))
            .where(text("tickets_fts MATCH :search_match").bindparams(search_match=_fts5_query(terms)))
        )
        return Ticket.id.in_(matching)
    raise NotImplementedError(f"no search index on {dialect}")


def _reindex(query, batch_size: int) -> int:
    """Refresh the documents of the tickets ``query`` selects, by id keyset, one commit a batch."""
    changed, after = 0, 0
    options = (
        selectinload(Ticket.category).selectinload(Category.parent),
        selectinload(Ticket.lead_unit),
        selectinload(Ticket.area),
        selectinload(Ticket.enterprise),
        selectinload(Ticket.redaction_terms),
    )
    while True:
        batch = list(
            db.session.scalars(query.where(Ticket.id > after).order_by(Ticket.id).limit(batch_size).options(*options))
        )
        if not batch:
            return changed
        changed += sum(refresh(t) for t in batch)
        after = batch[-1].id
        db.session.commit()


def reindex(*where: ColumnElement, batch_size: int = 500) -> int:
    """Rebuild the documents of the published tickets matching ``where``, e.g. after a unit or a
    category was renamed (``Ticket.lead_unit_id == unit.id``) or an enterprise's names or aliases, the
    words masked in its tickets, changed (``Ticket.enterprise_id == enterprise.id``). Commits each
    batch; safe to run again (a job for large sets). Returns how many documents changed."""
    return _reindex(select(Ticket).where(Ticket.published_at.is_not(None), *where), batch_size)


def reindex_all(batch_size: int = 500) -> int:
    """Rebuild every search document (a backfill, or after the tokenisation changed): published
    tickets get theirs, any other ticket loses its. Commits each batch; safe to run again.
    Returns how many documents changed."""
    stale = select(Ticket).where(Ticket.published_at.is_(None), Ticket.search_doc.is_not(None))
    return reindex(batch_size=batch_size) + _reindex(stale, batch_size)
