"""Migrations: one head, and the migrated schema is exactly what the models declare.

The suite's database was created empty and upgraded to head by the ``app`` fixture, on SQLite or on
PostgreSQL (``TEST_DATABASE_URL``); these tests look at that result.
"""

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from supervise.extensions import db
from supervise.models.hand_made import include_object

pytestmark = pytest.mark.committed  # alembic looks on connections of its own


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def test_migrations_have_exactly_one_head():
    assert len(_scripts().get_heads()) == 1


def test_the_files_are_numbered_in_the_order_of_the_chain():
    """``ls migrations/versions`` shows the chain's order: NNNN_YYYYMMDD_<revision>_<slug>.py, NNNN counting
    from 0001 at the first revision (rename a new file by hand to the next number)."""
    chain = list(_scripts().walk_revisions())[::-1]
    names = [Path(script.path).name for script in chain]
    assert all(
        re.fullmatch(rf"{n:04d}_\d{{8}}_{script.revision}_\w+\.py", name)
        for n, (script, name) in enumerate(zip(chain, names, strict=True), 1)
    ), names
    assert names == sorted(names)


def test_the_database_is_at_head():
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == tuple(_scripts().get_heads())


def test_models_and_migrations_agree():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_the_search_index_exists_at_head():
    """Hand-made in a migration, so a later table rebuild must not lose it (or SQLite's triggers)."""
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name LIKE 'tickets_fts%'").scalars())
            assert {"tickets_fts", "tickets_fts_insert", "tickets_fts_update", "tickets_fts_delete"} <= names
        else:
            assert (
                conn.exec_driver_sql("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_tickets_search_vector'").scalar()
                == 1
            )
            assert (
                conn.exec_driver_sql(
                    "SELECT is_generated FROM information_schema.columns "
                    "WHERE table_name = 'tickets' AND column_name = 'search_vector'"
                ).scalar()
                == "ALWAYS"
            )


def test_the_verification_migration_keeps_existing_accounts_verified(tmp_path):
    """Existing data is the demo seed and staff intake: its accounts stay verified ("existing"), its
    companies' contacts count as on record; new rows get the models' safe defaults."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from supervise import create_app

    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision="5d0e3c1a9b47")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO enterprises (name, credit_code, industry, contact_name, contact_mobile, "
                    "aliases, created_at) VALUES ('甲', 'X', '', '王', '139', '', '2026-01-01')"
                )
            )
            for name, role, enterprise in (("ent", "enterprise", 1), ("boss", "supervisor", None)):
                conn.execute(
                    text(
                        "INSERT INTO users (username, password_hash, name, role, enterprise_id, notify_email, "
                        "notify_sms, active, session_token, created_at) "
                        "VALUES (:n, 'h', :n, :r, :e, 1, 0, 1, :n, '2026-01-01')"
                    ),
                    {"n": name, "r": role, "e": enterprise},
                )
        upgrade(revision="d4b63d70cead")
        with engine.connect() as conn:
            users = conn.execute(
                text("SELECT username, verification, verification_method FROM users ORDER BY username")
            ).all()
            assert [tuple(u) for u in users] == [("boss", "verified", None), ("ent", "verified", "existing")]
            assert conn.execute(text("SELECT contact_on_record FROM enterprises")).scalar() in (1, True)
        engine.dispose()
