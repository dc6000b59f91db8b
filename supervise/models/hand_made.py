"""Schema the models cannot declare, made by hand in migrations: the search indexes.

PostgreSQL: the generated column ``tickets.search_vector`` (a 'simple' tsvector of ``search_doc``) and
its GIN index; the pg_trgm GIN index ``ix_tickets_open_title_trgm`` on the open tickets' titles
(likely duplicates). SQLite: the FTS5 table ``tickets_fts`` (with its shadow tables) and the triggers that
keep it in step. Autogenerate and the test that models and migrations agree leave these out.
"""

HAND_MADE_COLUMNS = frozenset({("tickets", "search_vector")})
HAND_MADE_INDEXES = frozenset({"ix_tickets_search_vector", "ix_tickets_open_title_trgm"})
HAND_MADE_TABLE_PREFIX = "tickets_fts"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object`` hook: False for the hand-made search schema above."""
    if type_ == "index":
        return name not in HAND_MADE_INDEXES
    if type_ == "column":
        return (obj.table.name, name) not in HAND_MADE_COLUMNS
    return not (type_ == "table" and name and name.startswith(HAND_MADE_TABLE_PREFIX))
