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
