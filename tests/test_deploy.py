"""The deployment of deploy/ started for real on this machine (deploy/smoke.py): nginx, two gunicorn
instances, two RQ workers and two schedulers on PostgreSQL and Redis. Runs in the PostgreSQL run of
CI (the database is a sibling of TEST_DATABASE_URL's, ``<name>_deploy``; Redis a redis-server of the
test's own); about a minute."""

import os
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import ROOT

pytestmark = [pytest.mark.deploy, pytest.mark.redis]


def _deploy_database(url: str) -> str:
    """``<database>_deploy`` next to the suite's database, created when missing."""
    parsed = make_url(url)
    name = f"{parsed.database}_deploy"
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar():
            conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def test_the_deployment_on_one_machine(redis_server, tmp_path):
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("the deployment runs on PostgreSQL: once, in the PostgreSQL run")
    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        import smoke
    finally:
        sys.path.remove(str(ROOT / "deploy"))
    smoke.run(_deploy_database(url), redis_server.url, tmp_path)
