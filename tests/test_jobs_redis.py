"""Nothing lost: real Redis servers and real `flask worker` processes.

Each test runs its own redis-server on a free port (the machine's binary), so that Redis can be
stopped and started again without touching anything else. Workers are separate processes sharing
the test database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from supervise.extensions import db
from supervise.jobs import delivery, embedded
from supervise.models import JobRun, Notification, OutboxMessage, Ticket
from tests.test_enterprise_portal import complaint_form

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server")


def _require_redis_binary() -> None:
    if REDIS_SERVER is None:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server is not installed")


class RedisServer:
    def __init__(self, tmp: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.tmp, self.process = tmp, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    _require_redis_binary()
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def rq_mode(app, redis_server, tmp_path):
    """The app hands jobs to RQ on the test's Redis; mail and SMS go to files the test can read."""
    saved = {k: app.config[k] for k in ("REDIS_URL", "JOBS_MODE", "OUTBOX_LEASE_SECONDS", "MAIL_BACKEND",
                                        "SMS_BACKEND")}
    app.config.update(REDIS_URL=redis_server.url, JOBS_MODE="rq", OUTBOX_LEASE_SECONDS=0,
                      MAIL_BACKEND=f"file:{tmp_path / 'mail.jsonl'}", SMS_BACKEND=f"file:{tmp_path / 'sms.jsonl'}")
    yield app
    app.config.update(saved)


def _worker_env(app, redis_url: str, tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_"))}
    env.update(SUPERVISE_ENV="development", SUPERVISE_INSTANCE=str(tmp_path / "instance"),
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url,
               MAIL_BACKEND=f"file:{tmp_path / 'mail.jsonl'}", SMS_BACKEND=f"file:{tmp_path / 'sms.jsonl'}",
               OUTBOX_LEASE_SECONDS="0", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def _run_burst_worker(app, redis_url: str, tmp_path: Path, **extra: str) -> None:
    done = subprocess.run(_flask("worker", "--burst"), cwd=ROOT, env=_worker_env(app, redis_url, tmp_path, **extra),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _file_complaint(world, client, login) -> Ticket:
    response = login(world.enterprise_user).post("/my/new", data=complaint_form(world, key="redis-test"))
    assert response.status_code == 302
    return db.session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))


def _supervisor_notifications(world) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == world.supervisor.id))


def test_a_complaint_filed_while_redis_is_down_is_delivered_once_when_it_returns(
        world, client, login, rq_mode, redis_server, tmp_path):
    redis_server.stop()
    ticket = _file_complaint(world, client, login)
    assert ticket is not None and ticket.tracking_no  # the request succeeded, the complaint is saved
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id)).all()
    assert pending and {m.status for m in pending} == {"pending"}

    redis_server.start()
    for _ in range(2):  # the relay and a worker, twice: the second round must change nothing
        assert delivery.relay_outbox() >= 0
        _run_burst_worker(rq_mode, redis_server.url, tmp_path)
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"sent"}
    assert _supervisor_notifications(world) == 1
    acks = [m for m in _lines(tmp_path / "mail.jsonl") if m["to"] == "wang@corp.example"]
    sms = [m for m in _lines(tmp_path / "sms.jsonl") if m["to"] == "13912345678"]
    assert len(acks) == 1 and len(sms) == 1
    assert ticket.tracking_no in acks[0]["text"] and ticket.retrieval_code in acks[0]["text"]
    supervisor_mail = [m for m in _lines(tmp_path / "mail.jsonl") if m["to"] == world.supervisor.email]
    assert len(supervisor_mail) == 1


def test_a_worker_killed_in_the_middle_of_a_job_loses_and_duplicates_nothing(
        world, client, login, rq_mode, redis_server, tmp_path):
    slow = dict(SMS_BACKEND="tests.slow_gateway:SlowGateway", SLOW_GATEWAY_DIR=str(tmp_path),
                SLOW_GATEWAY_SECONDS="60")
    worker = subprocess.Popen(_flask("worker"), cwd=ROOT, env=_worker_env(rq_mode, redis_server.url, tmp_path, **slow),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        ticket = _file_complaint(world, client, login)  # deliveries are enqueued right after the commit
        started = tmp_path / "started"
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert started.exists(), "the worker never reached the SMS delivery"
        time.sleep(0.2)
        horse = int(started.read_text().split()[0])
        # The machine loses the worker and its work horse (RQ puts the horse in its own process group).
        os.kill(horse, signal.SIGKILL)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    db.session.expire_all()
    sms_message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.ticket_id == ticket.id, OutboxMessage.channel == "sms"))
    assert sms_message.status == "pending"  # not lost: still to deliver

    for _ in range(2):
        delivery.relay_outbox()
        _run_burst_worker(rq_mode, redis_server.url, tmp_path)
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"sent"}
    assert [m["key"] for m in _lines(tmp_path / "sms.jsonl")] == [sms_message.dedupe_key]
    assert _supervisor_notifications(world) == 1


def test_the_configured_redis_serves_the_queues(world, app, client, login):
    """Against the machine's Redis named by TEST_REDIS_URL (CI), not only the tests' own servers."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("TEST_REDIS_URL is required in CI")
        pytest.skip("TEST_REDIS_URL is not set")
    saved = app.config["REDIS_URL"], app.config["JOBS_MODE"]
    app.config.update(REDIS_URL=url, JOBS_MODE="rq")
    try:
        from supervise.jobs import get_queue

        for name in ("mail", "default"):
            get_queue(name).empty()
        _file_complaint(world, client, login)
        assert get_queue("mail").count + get_queue("default").count > 0
        page = login(world.supervisor).get("/ops/")
        assert page.status_code == 200 and "Redis cannot be reached" not in page.text
    finally:
        from supervise.jobs import get_queue

        for name in ("mail", "default"):
            get_queue(name).empty()
        app.config.update(REDIS_URL=saved[0], JOBS_MODE=saved[1])


def test_the_operations_page_works_while_redis_is_down(world, app, client, login, rq_mode, redis_server):
    redis_server.stop()
    page = login(world.admin).get("/ops/")
    assert page.status_code == 200 and "Redis cannot be reached" in page.text


def test_without_redis_the_same_jobs_run_inside_the_process(world, app, client, login, tmp_path):
    saved = app.config["JOBS_MODE"], app.config["MAIL_BACKEND"]
    app.config.update(JOBS_MODE="thread", MAIL_BACKEND=f"file:{tmp_path / 'mail.jsonl'}")
    try:
        _file_complaint(world, client, login)
        embedded.drain()
        assert _supervisor_notifications(world) == 1
        assert [m["to"] for m in _lines(tmp_path / "mail.jsonl")].count("wang@corp.example") == 1

        embedded.start_scheduler(app, tick_seconds=0.05)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.ok.is_(True))) >= 4:
                break
            time.sleep(0.1)
        embedded.stop_scheduler()
        embedded.drain()
        names = set(db.session.scalars(select(JobRun.name).where(JobRun.ok.is_(True))))
        assert {"relay_outbox", "supervise_deadlines", "ratings", "monthly_reports"} <= names
    finally:
        embedded.stop_scheduler()
        embedded.drain()
        app.config.update(JOBS_MODE=saved[0], MAIL_BACKEND=saved[1])


