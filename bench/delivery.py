"""Delivery benchmark: how many e-mails a second one ``flask worker`` process hands to an SMTP server.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/sv_delivery_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python -m bench.delivery --messages 2000

Writes ``--messages`` pending e-mails to the outbox of the database (upgraded to head first; use a
database of its own: the outbox and the queues are emptied), starts a local SMTP server (aiosmtpd) on a
free port, hands the backlog over as the relay does (jobs of ``RELAY_BATCH`` messages, one pipeline)
and runs the worker of ``flask worker`` (RQ's SimpleWorker, in this process) in burst mode until the
queues are empty. Prints messages/s, the SMTP connections the worker opened and the database
connections it used. ``--old`` runs RQ's forking worker instead, one message per job, as before.
"""

import argparse
import logging
import os
import socket
import time

from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, insert, select

SENDER = "supervise@bench.example"


class Inbox:
    def __init__(self):
        self.received: list[tuple[float, tuple, list[str]]] = []  # (time, peer, recipients)

    async def handle_DATA(self, server, session, envelope):
        self.received.append((time.time(), session.peer, list(envelope.rcpt_tos)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_server() -> tuple[Controller, Inbox, int]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox, port


def make_app(port: int):
    from supervise import create_app

    return create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        JOBS_MODE="rq",
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_DEFAULT_SENDER=SENDER,
        OUTBOX_LEASE_SECONDS=0,
    )


def write_backlog(count: int) -> None:
    from supervise.domain.clock import now
    from supervise.extensions import db
    from supervise.models import Notification, OutboxMessage

    db.session.execute(delete(Notification).where(Notification.outbox_id.is_not(None)))
    db.session.execute(delete(OutboxMessage))
    at = now()
    rows = [
        dict(
            dedupe_key=f"bench-{at:%H%M%S%f}-{n}",
            channel="email",
            address=f"filer{n}@bench.example",
            subject=f"Complaint B{n:07d}: submitted",
            body=f"Your complaint has tracking number B{n:07d}. Look up its progress at /lookup.",
            status="pending",
            attempts=0,
            next_attempt_at=at,
            created_at=at,
        )
        for n in range(count)
    ]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.commit()


def run(count: int, old: bool) -> dict:
    from supervise import jobs
    from supervise.extensions import db
    from supervise.jobs import delivery
    from supervise.jobs import worker as app_worker
    from supervise.models import OutboxMessage

    for name in jobs.QUEUES:
        jobs.get_queue(name).empty()
    write_backlog(count)
    ids = list(db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
    started = time.perf_counter()
    if old:
        jobs.enqueue_many(jobs.Call(delivery.deliver, (i,), jobs.MAIL_QUEUE) for i in ids)
    else:
        delivery.hand_over(ids)
    handed = time.perf_counter()
    db.session.remove()
    if old:
        from rq import Worker

        os.register_at_fork(after_in_child=lambda: db.engine.dispose(close=False))
        queues = [jobs.get_queue(name) for name in jobs.QUEUES]
        Worker(queues, connection=jobs.redis_connection()).work(burst=True, logging_level="WARNING")
    else:
        app_worker.work(list(jobs.QUEUES), burst=True)
    done = time.perf_counter()
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent"))
    return {"handed over s": handed - started, "worker s": done - handed, "sent": sent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--old", action="store_true", help="RQ's forking worker, one message per job")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    controller, inbox, port = smtp_server()
    app = make_app(port)
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            figures = run(args.messages, args.old)
    finally:
        controller.stop()
    peers = {peer for _at, peer, _rcpts in inbox.received}
    rate = figures["sent"] / figures["worker s"]
    print(
        f"{'forking worker, a job per message' if args.old else 'flask worker (SimpleWorker), a job per batch'}: "
        f"{figures['sent']} of {args.messages} e-mails sent in {figures['worker s']:.1f} s = {rate:.0f} messages/s; "
        f"handed over in {figures['handed over s'] * 1000:.0f} ms; SMTP connections: {len(peers)}; "
        f"received by the SMTP server: {len(inbox.received)}"
    )


if __name__ == "__main__":
    main()
