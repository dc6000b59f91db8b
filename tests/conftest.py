"""Test fixtures: an app on an empty database upgraded to head, a client, a small world of units,
categories, enterprises and one user per role, and helpers to log in and move tickets along.

The database is a SQLite file by default; ``TEST_DATABASE_URL`` points the whole suite at
PostgreSQL (``make test`` in CI runs both). The schema is upgraded to head once per run; each test then
runs in a transaction rolled back afterwards, or commits for real when marked ``committed`` (see
``_database``).
"""

import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from supervise import create_app
from supervise.domain import reference
from supervise.extensions import db
from supervise.models import Category
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


class _FreshRequestClient(FlaskClient):
    """Requests run inside the test's app context; give each one a fresh ``g``, as in production
    (Flask-Login caches the user there, the calendar is cached there)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(vars(g)):
                g.pop(key, None)
        return super().open(*args, **kwargs)


def _sqlite_transactions_as_written(connection) -> None:
    """Let SQLAlchemy, not the sqlite3 driver, begin this connection's transactions, so that savepoints nest
    inside the test's outer transaction (the driver's own BEGIN comes too late, and releasing the first
    savepoint would commit): SQLAlchemy's recipe for pysqlite, on the test's connection only (elsewhere
    the driver's lazy BEGIN keeps reads from holding locks that other processes wait for)."""
    connection.connection.dbapi_connection.isolation_level = None
    event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))


@pytest.fixture(scope="session")
def app():
    upload_dir = tempfile.mkdtemp(prefix="supervise-uploads-")
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        path = os.path.join(tempfile.mkdtemp(prefix="supervise-db-"), "test.sqlite3")
        url = f"sqlite:///{path}"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=upload_dir)
    app.test_client_class = _FreshRequestClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
        # A commit in a test ends a savepoint of the test's transaction, not the transaction (see below).
        db.session.configure(join_transaction_mode="create_savepoint")
    yield app


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@contextmanager
def _rolled_back():
    """Bind the session to one connection inside a transaction, and roll that transaction back after."""
    engines = db.engines
    engine = engines[None]
    connection = engine.connect()
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        _sqlite_transactions_as_written(connection)
    outer = connection.begin()
    engines[None] = connection  # Flask-SQLAlchemy binds the session to whatever stands here
    try:
        yield connection
    finally:
        db.session.rollback()
        db.session.remove()
        engines[None] = engine
        outer.rollback()
        if sqlite:
            connection.connection.dbapi_connection.isolation_level = ""  # the driver's default, back to the pool
        connection.close()


_module_connection: list = []  # the open module transaction's connection, while there is one


@pytest.fixture(scope="module")
def module_transaction(app):
    """For rows built once per module (a module-scoped fixture asks for this one): the module's tests share
    one application context and one connection whose transaction is rolled back after the last test;
    each test runs in a savepoint of it (see ``_database``)."""
    with app.app_context(), _rolled_back() as connection:
        _module_connection.append(connection)
        try:
            yield connection
        finally:
            _module_connection.clear()


@pytest.fixture(autouse=True)
def _fresh_reference(app):
    """Rolled-back tests make the public generation repeat with other rows under it, which production
    never sees: each test starts without the process's copy of the reference data."""
    reference.forget(app)
    yield
    reference.forget(app)


@pytest.fixture(autouse=True)
def _database(app, request):
    """Each test runs inside an application context on an empty database (or on its module's rows).

    By default the test's session works on one connection inside a transaction that is rolled back
    afterwards: ``db.session.commit()`` releases a savepoint, nothing reaches the disk. Tests marked
    ``committed`` (other processes, threads or connections read what they write) commit for real, and
    the tables are emptied after them.
    """
    if request.node.get_closest_marker("committed"):
        with app.app_context():
            try:
                yield
            finally:
                db.session.rollback()
                db.session.remove()
                _empty_tables()
    elif _module_connection:
        # Module-scoped fixtures are set up before this one: their rows stand, the test's go.
        connection = _module_connection[0]
        db.session.commit()  # what the module's fixtures left open joins their rows, below the test's savepoint
        built = set(db.session.identity_map.keys())
        savepoint = connection.begin_nested()
        try:
            yield
        finally:
            db.session.rollback()
            savepoint.rollback()
            for key, obj in list(db.session.identity_map.items()):
                if key not in built:
                    db.session.expunge(obj)
            db.session.expire_all()
    else:
        with app.app_context(), _rolled_back():
            yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world():
    """Units, areas, categories with routing, two enterprises and a user for every role."""
    return factories.built_world()


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as ``user`` (through the real session)."""

    def do(user):
        # Requests share the test's app context, where Flask-Login caches the last user.
        g.pop("_login_user", None)
        session_id = user.open_session()
        db.session.commit()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_id
            sess["_fresh"] = True
        return client

    return do


@pytest.fixture
def approvals(world):
    """A second top-level area with one category, led by the HR bureau by default."""
    area = Category(name="行政审批")
    projects = Category(name="项目审批", parent=area, default_lead_unit=world.hr)
    db.session.add_all([area, projects])
    db.session.flush()
    return area, projects


# ---------------------------------------------------------------- real servers the tests stop and start
# Each runs on a free port of its own: the machine's PostgreSQL (5432) and Redis (6379) are never touched.


def _require_service(present: bool, what: str) -> None:
    """Skip a test when ``what`` is not installed, except in CI (REQUIRE_SERVICES), where it fails."""
    if not present:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(f"{what} is required in CI")
        pytest.skip(f"{what} is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, what: str, process: subprocess.Popen | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


REDIS_SERVER = shutil.which("redis-server")


class RedisServer:
    """A redis-server of the test's own, without persistence: a restart starts it empty."""

    def __init__(self, tmp: Path):
        self.port, self.tmp, self.process = free_port(), tmp, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, "redis-server", self.process, seconds=10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    _require_service(REDIS_SERVER is not None, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A throwaway PostgreSQL cluster on a free port (initdb, pg_ctl start/stop), run as the ``postgres``
    user when the tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self, bin_dir: Path):
        self.bin, self.port, self.running = bin_dir, free_port(), False
        self.dir = Path(tempfile.mkdtemp(prefix="supervise-pg-"))
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.dir / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["su", "postgres", "-c", shlex.join(command)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")

    def start(self) -> None:
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        self.running = True

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        self.running = False

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def postgres_server():
    """A running throwaway PostgreSQL cluster; stopped and removed after the test."""
    bin_dir = _postgres_bin()
    _require_service(bin_dir is not None and (bin_dir / "pg_ctl").exists(), "PostgreSQL server binaries")
    server = PostgresServer(bin_dir)
    server.start()
    try:
        yield server
    finally:
        if server.running:
            server.stop()
        server.remove()


def service_env(database_url: str, redis_url: str, tmp: Path, **extra: str) -> dict:
    """The environment of a platform process (web or worker) in its own folders, mail and SMS to files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_", "SUPERVISE_"))}
    env.update(
        SUPERVISE_INSTANCE=str(tmp / "instance"),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MAIL_BACKEND=f"file:{tmp / 'mail.jsonl'}",
        SMS_BACKEND=f"file:{tmp / 'sms.jsonl'}",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


class Browser(requests.Session):
    """A visitor of a running server: keeps cookies, reads CSRF tokens from forms, logs in for real."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return super().request(method, self.base + url, *args, **kwargs)

    def csrf_token(self, path: str = "/auth/login") -> str:
        page = self.get(path)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path} ({page.status_code})"
        return found.group(1)

    def login(self, username: str, password: str = factories.PASSWORD) -> "Browser":
        response = self.post(
            "/auth/login", data={"csrf_token": self.csrf_token(), "username": username, "password": password}
        )
        assert response.status_code == 302, response.text[:500]
        return self


class AppServer:
    """The platform in its production configuration, chosen by environment variables alone
    (SUPERVISE_ENV=production: limiter, Redis cache, RQ), served by gunicorn in its own process."""

    def __init__(self, database_url: str, redis_url: str, tmp: Path, **extra: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # Plain HTTP on the loopback: the session cookie cannot be Secure here.
        self.env = service_env(
            database_url,
            redis_url,
            tmp,
            SUPERVISE_ENV="production",
            SECRET_KEY="outage-test-secret-of-at-least-32-bytes",
            SESSION_COOKIE_SECURE="0",
            PUBLIC_BASE_URL=self.base,
            **extra,
        )
        self.log = tmp / f"gunicorn-{self.port}.log"
        self.process = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    "1",
                    "--threads",
                    "2",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        _wait_for_port(self.port, f"gunicorn (see {self.log})", self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
        self.process = None

    def browser(self) -> Browser:
        return Browser(self.base)


@pytest.fixture
def app_server(tmp_path):
    """``app_server(database_url, redis_url)`` starts the platform in production configuration."""
    started: list[AppServer] = []

    def start(database_url: str, redis_url: str, **extra: str) -> AppServer:
        server = AppServer(database_url, redis_url, tmp_path, **extra)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for a module's browser walks (``tests/browser_support.py``)."""
    from tests import browser_support

    with browser_support.chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def base_url(app):
    """The session's app served on a free local port, CSRF on, for a module's browser walks."""
    from tests import browser_support

    with browser_support.live_server(app) as url:
        yield url


@pytest.fixture
def inbox(app):
    """A real local SMTP server (aiosmtpd), and the app's mail pointed at it over SMTP, as in production."""
    from tests.factories import SmtpInbox

    server = SmtpInbox()
    server.controller.start()
    settings = server.settings()
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    app.extensions.pop("mail", None)  # Flask-Mail reads its settings once
    try:
        yield server
    finally:
        server.controller.stop()
        app.config.update(saved)
        app.extensions.pop("mail", None)


@pytest.fixture
def postgresql_only():
    """For a test of PostgreSQL's plans or features: skipped on SQLite."""
    from supervise.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plans are PostgreSQL's (run with TEST_DATABASE_URL)")
