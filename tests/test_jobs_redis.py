"""Nothing lost: real Redis servers and real `flask worker` processes.

Each test runs its own redis-server on a free port (the machine's binary), so that Redis can be
stopped and started again without touching anything else. Workers are separate processes sharing
the test database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL).
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from supervise.extensions import db
from supervise.jobs import delivery, embedded
from supervise.models import JobRun, Notification, OutboxMessage, Ticket
from tests.conftest import ROOT, service_env
from tests.factories import complaint_form

pytestmark = [pytest.mark.redis, pytest.mark.committed]  # other processes read the data


@pytest.fixture
def rq_mode(app, redis_server, tmp_path):
    """The app hands jobs to RQ on the test's Redis; mail and SMS go to files the test can read."""
    saved = {
        k: app.config[k] for k in ("REDIS_URL", "JOBS_MODE", "OUTBOX_LEASE_SECONDS", "MAIL_BACKEND", "SMS_BACKEND")
    }
    app.config.update(
        REDIS_URL=redis_server.url,
        JOBS_MODE="rq",
        OUTBOX_LEASE_SECONDS=0,
        MAIL_BACKEND=f"file:{tmp_path / 'mail.jsonl'}",
        SMS_BACKEND=f"file:{tmp_path / 'sms.jsonl'}",
    )
    yield app
    app.config.update(saved)


def _worker_env(app, redis_url: str, tmp_path: Path, **extra: str) -> dict:
    return service_env(
        app.config["SQLALCHEMY_DATABASE_URI"],
        redis_url,
        tmp_path,
        SUPERVISE_ENV="development",
        OUTBOX_LEASE_SECONDS="0",
        **extra,
    )


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def _run_burst_worker(app, redis_url: str, tmp_path: Path, **extra: str) -> None:
    done = subprocess.run(
        _flask("worker", "--burst"),
        cwd=ROOT,
        env=_worker_env(app, redis_url, tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _file_complaint(world, client, login) -> Ticket:
    response = login(world.enterprise_user).post("/my/new", data=complaint_form(world, key="redis-test"))
    assert response.status_code == 302
    return db.session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))


def _supervisor_notifications(world) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == world.supervisor.id)
    )


def test_a_complaint_filed_while_redis_is_down_is_delivered_once_when_it_returns(
    world, client, login, rq_mode, redis_server, tmp_path
):
    redis_server.stop()
    ticket = _file_complaint(world, client, login)
    assert ticket is not None and ticket.tracking_no  # the request succeeded, the complaint is saved
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id)).all()
    assert {m.status for m in pending if m.channel != "inapp"} == {"pending"}  # mail waits for Redis
    assert {m.status for m in pending if m.channel == "inapp"} == {"sent"}  # notices came with the event
    assert _supervisor_notifications(world) == 1

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
    world, client, login, rq_mode, redis_server, tmp_path
):
    slow = dict(SMS_BACKEND="tests.slow_gateway:SlowGateway", SLOW_GATEWAY_DIR=str(tmp_path), SLOW_GATEWAY_SECONDS="60")
    worker = subprocess.Popen(
        _flask("worker"),
        cwd=ROOT,
        env=_worker_env(rq_mode, redis_server.url, tmp_path, **slow),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
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
    sms_message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.channel == "sms")
    )
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


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_a_busy_worker_outlives_a_redis_restart_and_delivers_what_waited(
    world, client, login, rq_mode, redis_server, tmp_path
):
    slow = dict(SMS_BACKEND="tests.slow_gateway:SlowGateway", SLOW_GATEWAY_DIR=str(tmp_path), SLOW_GATEWAY_SECONDS="3")
    with open(tmp_path / "worker.log", "w") as log:
        worker = subprocess.Popen(
            _flask("worker"),
            cwd=ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
            env=_worker_env(rq_mode, redis_server.url, tmp_path, **slow),
        )
    try:
        ticket = _file_complaint(world, client, login)
        assert _wait_until((tmp_path / "started").exists, 60), "the worker never reached the SMS delivery"
        redis_server.stop()  # in the middle of the job: the worker cannot report it when it ends
        assert not _wait_until(lambda: worker.poll() is not None, 8), (tmp_path / "worker.log").read_text()[-3000:]

        redis_server.start()  # empty: what was queued is gone, the outbox still knows
        delivery.relay_outbox()

        def all_sent() -> bool:
            db.session.expire_all()
            return {m.status for m in db.session.scalars(select(OutboxMessage))} == {"sent"}

        assert _wait_until(all_sent, 60), (tmp_path / "worker.log").read_text()[-3000:]
        assert worker.poll() is None
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
    assert _supervisor_notifications(world) == 1
    sms = [m for m in _lines(tmp_path / "sms.jsonl") if m["to"] == "13912345678"]
    assert len(sms) == 1 and ticket.tracking_no in sms[0]["text"]
