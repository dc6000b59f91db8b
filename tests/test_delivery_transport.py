"""How intake hands work over and how the worker delivers it, with a real Redis and a real SMTP server.

A complaint is one job, handed over after its commit in one round trip on the process's pooled Redis
connection; its in-app notices are written in its own transaction; ``flask worker`` runs jobs without
forking and sends every e-mail over one kept SMTP connection; Open311 counts its limit per key.
"""

import socket
import subprocess
import sys

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from supervise.domain import duties, notify
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.jobs import delivery, get_queue
from supervise.models import Notification, OutboxMessage, Ticket
from supervise.open311 import keys
from tests.conftest import ROOT, service_env
from tests.factories import complaint_form, file_ticket, filing
from tests.production import production_like


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CountingInbox:
    """An aiosmtpd handler that keeps each message with the client connection it came on."""

    def __init__(self):
        self.received: list[tuple[tuple, list[str]]] = []  # (peer, recipients)

    async def handle_DATA(self, server, session, envelope):
        self.received.append((session.peer, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def connections(self) -> int:
        return len({peer for peer, _rcpts in self.received})


@pytest.fixture
def smtp_inbox(app):
    """A local SMTP server, and the app set to deliver e-mail to it over SMTP."""
    inbox, port = CountingInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_SUPPRESS_SEND": False,
    }
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    app.extensions.pop("mail", None)
    inbox.controller, inbox.port = controller, port
    try:
        yield inbox
    finally:
        inbox.controller.stop()
        app.config.update(saved)
        app.extensions.pop("mail", None)


@pytest.fixture
def rq_app(app, redis_server, tmp_path):
    """The app hands jobs to RQ on the test's own Redis."""
    saved = {k: app.config[k] for k in ("REDIS_URL", "JOBS_MODE", "SMS_BACKEND")}
    app.config.update(REDIS_URL=redis_server.url, JOBS_MODE="rq", SMS_BACKEND=f"file:{tmp_path / 'sms.jsonl'}")
    yield app
    app.config.update(saved)


def _handed_over() -> list[int]:
    return [message_id for job in get_queue("mail").jobs for message_id in job.args[0]]


@pytest.mark.redis
@pytest.mark.committed
def test_a_message_written_before_a_refused_duplicate_warning_is_handed_over_at_the_commit(world, rq_app):
    """A warning run meets warnings raised in an earlier run: each refusal rolls back its savepoint
    only, and the messages the run wrote before it still go to the queue when the run commits (not
    10 minutes later, when the relay's lease has run out)."""
    assert duties.raise_once("task_report", 1, "yellow", "2026-12-01", now())
    db.session.commit()
    message = notify.tell_address("savepoint:1", "email", "lead@example.com", "月度进展未报送", "请报送")
    assert not duties.raise_once("task_report", 1, "yellow", "2026-12-01", now())  # raised before
    late = notify.tell_address("savepoint:2", "email", "lead@example.com", "月度进展未报送", "请报送")
    db.session.commit()
    assert sorted(_handed_over()) == sorted([message.id, late.id])


@pytest.mark.redis
@pytest.mark.committed
def test_a_rolled_back_transaction_hands_over_nothing(world, rq_app):
    notify.tell_address("rolled-back:1", "email", "lead@example.com", "主题", "正文")
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert _handed_over() == []


def _stats(server: redis.Redis) -> tuple[int, int]:
    info = server.info("stats")
    return info["total_connections_received"], info["total_commands_processed"]


@pytest.mark.redis
@pytest.mark.committed
def test_a_filed_complaint_is_one_job_handed_over_in_one_round_trip_on_a_pooled_connection(
    world, client, login, rq_app, redis_server
):
    observer = redis.Redis.from_url(redis_server.url)
    observer.ping()
    login(world.enterprise_user)
    figures = []
    for number in range(3):
        before = _stats(observer)
        response = client.post("/my/new", data=complaint_form(world, key=f"one-job-{number}"))
        assert response.status_code == 302
        after = _stats(observer)
        figures.append((after[0] - before[0], after[1] - before[1] - 1))  # less the INFO itself
    mail, default = get_queue("mail"), get_queue("default")
    assert (mail.count, default.count) == (3, 0)  # one job per complaint: its e-mail and SMS together
    (job,) = mail.jobs[:1]
    assert job.func_name == "supervise.jobs.delivery.deliver_many"
    # One connection for the whole process, opened by the first filing and reused after it.
    assert [connections for connections, _ in figures] in ([1, 0, 0], [0, 0, 0])
    # A pipeline: MULTI, the queue's registration, the job's hash, the push, EXEC (and the connection's
    # greeting the first time): a handful of commands, not dozens.
    assert all(commands <= 8 for _, commands in figures[1:]), figures
    tickets = db.session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(3)).all()
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id.in_([t.id for t in tickets])))
    handed = sorted(m.id for m in waiting if m.channel != "inapp")
    assert sorted(i for j in mail.jobs for i in j.args[0]) == handed


def test_in_app_notices_are_written_in_the_events_own_transaction(world):
    ticket = file_ticket(world, contact_email="wang@corp.example")
    notices = db.session.scalars(select(Notification).where(Notification.ticket_id == ticket.id)).all()
    assert {n.user_id for n in notices} == {world.supervisor.id}  # before any commit, any job
    inapp = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.channel == "inapp")
    ).all()
    assert {m.status for m in inapp} == {"sent"} and {n.outbox_id for n in notices} == {m.id for m in inapp}
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.channel != "inapp")
    ).all()
    assert mail and {m.status for m in mail} == {"pending"}  # e-mail and SMS wait for the worker
    ticket_id = ticket.id
    db.session.rollback()  # the complaint is not filed: nobody was told
    assert (
        db.session.scalar(select(func.count()).select_from(Notification).where(Notification.ticket_id == ticket_id))
        == 0
    )


def test_delivering_an_in_app_message_again_adds_no_second_notice(world):
    ticket = file_ticket(world)
    db.session.commit()
    inapp = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.channel == "inapp")
    )
    assert delivery.deliver(inapp.id) == "sent"
    assert delivery.deliver_many([inapp.id]) == {"sent": 1}
    count = select(func.count()).select_from(Notification).where(Notification.outbox_id == inapp.id)
    assert db.session.scalar(count) == 1


@pytest.mark.redis
@pytest.mark.committed
def test_flask_worker_runs_jobs_without_forking_over_one_smtp_connection(
    world, rq_app, redis_server, smtp_inbox, tmp_path
):
    for number in range(4):
        file_ticket(world, contact_email=f"filer{number}@corp.example", contact_mobile="13912345678")
        db.session.commit()  # each commit hands its e-mail and SMS over as one job
    assert get_queue("mail").count == 4
    env = service_env(
        rq_app.config["SQLALCHEMY_DATABASE_URI"],
        redis_server.url,
        tmp_path,
        SUPERVISE_ENV="development",
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_inbox.port),
        SMS_BACKEND="tests.slow_gateway:SlowGateway",
        SLOW_GATEWAY_DIR=str(tmp_path),
        SLOW_GATEWAY_SECONDS="0",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
        cwd=ROOT,
        env=env,
        text=True,
        stderr=subprocess.PIPE,
    )
    _out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err[-3000:]
    # Every SMS was sent by the worker process itself: no work horse was forked for a job.
    pids = {line.split()[0] for line in (tmp_path / "started").read_text().splitlines()}
    assert pids == {str(worker.pid)}
    db.session.expire_all()
    emails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
    assert len(emails) >= 8 and {m.status for m in emails} == {"sent"}
    assert len(smtp_inbox.received) == len(emails)
    assert smtp_inbox.connections() == 1  # one SMTP connection for every message of the worker


def test_a_dropped_smtp_connection_is_opened_again_and_the_message_sent(world, smtp_inbox):
    from supervise.jobs import smtp

    first = file_ticket(world, contact_email="wang@corp.example")
    second = file_ticket(world, contact_email="li@corp.example")
    db.session.commit()
    smtp.close()
    try:
        ack = select(OutboxMessage.id).where(OutboxMessage.channel == "email", OutboxMessage.user_id.is_(None))
        assert delivery.deliver(db.session.scalar(ack.where(OutboxMessage.ticket_id == first.id))) == "sent"
        smtp_inbox.controller.stop()  # the server goes away (a restart, an idle timeout) ...
        smtp_inbox.controller = Controller(smtp_inbox, hostname="127.0.0.1", port=smtp_inbox.port)
        smtp_inbox.controller.start()  # ... and comes back: the kept connection is dead
        assert delivery.deliver(db.session.scalar(ack.where(OutboxMessage.ticket_id == second.id))) == "sent"
    finally:
        smtp.close()
    assert [rcpts for _peer, rcpts in smtp_inbox.received] == [["wang@corp.example"], ["li@corp.example"]]
    assert smtp_inbox.connections() == 2


@pytest.mark.committed
def test_open311_posts_are_limited_per_key_not_per_address(app, world):
    _first, first_secret = keys.issue("city hotline")
    _second, second_secret = keys.issue("district app")
    db.session.commit()
    with production_like(app, OPEN311_POST_RATE_LIMIT="2 per minute") as site:
        client = site.test_client()  # every request from the same address

        def post(secret: str, number: int) -> int:
            data = filing(world, secret, **{"attribute[client_request_id]": f"{secret[:6]}-{number}"})
            return client.post("/open311/v2/requests.json", data=data).status_code

        assert [post(first_secret, n) for n in range(3)] == [201, 201, 429]
        assert [post(second_secret, n) for n in range(3)] == [201, 201, 429]  # its own budget
