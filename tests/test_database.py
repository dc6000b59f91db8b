"""The database connection as configured from the environment."""

import pytest
from sqlalchemy import text

import config
from supervise.extensions import db


def test_postgresql_connections_run_without_jit(app):
    """Short web queries gain nothing from PostgreSQL's JIT compiler and pay its compile time."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert db.session.execute(text("SHOW jit")).scalar() == "off"


def test_startup_options_go_only_to_postgresql():
    assert config.Config.DATABASE_OPTIONS == "-c jit=off"
    assert config.engine_options("sqlite://", "-c jit=off") == {"pool_pre_ping": True}
    assert config.engine_options("postgresql+psycopg://db/x", "-c jit=off")["connect_args"] == {"options": "-c jit=off"}
    assert "connect_args" not in config.engine_options("postgresql+psycopg://db/x", "")


# The isolation of the tests themselves (tests/conftest.py): what one test commits, the next never sees.
ISOLATION_PROBE = "isolation-probe"


def test_isolation_a_test_commits_a_row():
    from tests.factories import make_unit

    make_unit(ISOLATION_PROBE)
    db.session.commit()
    db.session.rollback()  # a commit ends a savepoint of the test's transaction; the row is still there
    assert db.session.execute(text("SELECT count(*) FROM units WHERE name = :n"), {"n": ISOLATION_PROBE}).scalar() == 1


def test_isolation_the_next_test_does_not_see_it():
    assert db.session.execute(text("SELECT count(*) FROM units WHERE name = :n"), {"n": ISOLATION_PROBE}).scalar() == 0
