"""Many filers at once: how long a complaint's acknowledgement waits while complaints keep coming.

    .venv/bin/python -m bench.filers --filers 50 --seconds 120 \\
        --database postgresql+psycopg://postgres@127.0.0.1/sv_filers_bench --redis redis://127.0.0.1:6379/7

The deployment as production runs it, on this machine: gunicorn (production settings, ``--workers`` sync
workers) with Redis and ``--delivery`` ``flask worker`` processes (RQ's SimpleWorker), e-mail going to a
local SMTP server (aiosmtpd) started here. ``--filers`` threads, each an Open311 client with its own API
key (the production per-key limit, ``OPEN311_POST_RATE_LIMIT``, applies as configured) and its own
company, file complaints one after another for ``--seconds``. Then the run waits (at most
``--drain`` s) until every acknowledgement has left, and prints: complaints filed per second, the POST's
p50/p95, and the acknowledgement's wait — from the complaint's commit (the outbox row's ``created_at``)
to the SMTP server's answer (``sent_at``) — p50/p95/max, with how many were still waiting.

Use a database of its own (a copy of a ``bench.generate`` database: the run files complaints into it):
``createdb -T supervise_bench_10k sv_filers_bench``. The Redis database given is emptied.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from bench import intake, load
from bench.delivery import SENDER, smtp_server

ROOT = Path(__file__).resolve().parent.parent
FLASK = ROOT / ".venv" / "bin" / "flask"
ADDRESS = "filer{n}@bench.example"


def prepare(database_url: str, redis_url: str, filers: int) -> tuple[list[tuple[str, str, str]], dict, datetime]:
    """One API key and one company per filer; a filled request (the first service, its required
    attributes answered); the moment the run starts (zone time)."""
    from supervise import create_app, jobs
    from supervise.domain.clock import now
    from supervise.extensions import db
    from supervise.open311 import keys

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url, JOBS_MODE="rq")
    with app.app_context():
        for name in jobs.QUEUES:
            jobs.get_queue(name).empty()
        companies = db.session.execute(
            text("SELECT credit_code, name FROM enterprises ORDER BY id LIMIT :n"), {"n": filers}
        ).all()
        if len(companies) < filers:
            raise SystemExit(f"the database has {len(companies)} enterprises, fewer than {filers} filers")
        secrets = [keys.issue(f"bench filer {n} {time.time_ns()}")[1] for n in range(filers)]
        db.session.commit()
        fields = intake.open311_fields(app.test_client(), secrets[0], companies[0])
        db.session.commit()
        started = now()
        db.engine.dispose()
    return [(s, c.credit_code, c.name) for s, c in zip(secrets, companies, strict=True)], fields, started


def filer(base: str, n: int, secret: str, code: str, name: str, fields: dict, until: float, out: list) -> None:
    """File complaints one after another until ``until``; append (seconds, status) per POST to ``out``."""
    url = base + "/open311/v2/requests.json"
    sequence = 0
    while time.monotonic() < until:
        sequence += 1
        body = urllib.parse.urlencode(
            {
                **fields,
                "api_key": secret,
                "description": f"第{sequence}次反映：我公司职工子女今年秋季入学没有学位，希望协调解决。",
                "email": ADDRESS.format(n=n),
                "attribute[credit_code]": code,
                "attribute[company_name]": name,
                "attribute[client_request_id]": f"filer-{n}-{sequence}-{time.time_ns()}",
            }
        ).encode()
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as err:
            status = err.code
        except OSError:
            status = 0
        out.append((time.perf_counter() - started, status))
        if status == 429:
            time.sleep(1)


def acknowledgements(database_url: str, started: datetime) -> list[float | None]:
    """Each filed complaint's acknowledgement wait in seconds (None: not sent yet)."""
    import psycopg

    with psycopg.connect(load.libpq_url(database_url)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT ON (o.ticket_id) o.created_at, o.sent_at FROM outbox_messages o "
            "WHERE o.channel = 'email' AND o.address LIKE 'filer%%@bench.example' AND o.created_at >= %s "
            "AND o.ticket_id IS NOT NULL ORDER BY o.ticket_id, o.id",
            (started,),
        ).fetchall()
    return [(sent - created).total_seconds() if sent else None for created, sent in rows]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--filers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--delivery", type=int, default=1, help="flask worker processes")
    parser.add_argument("--drain", type=int, default=300, help="longest wait for the last acknowledgements (s)")
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()

    credentials, fields, started = prepare(args.database, args.redis, args.filers)
    smtp, inbox, smtp_port = smtp_server()
    env = {
        "REDIS_URL": args.redis,
        "JOBS_MODE": "rq",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_DEFAULT_SENDER": SENDER,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
    }
    logs = Path(tempfile.mkdtemp(prefix="supervise-filers-"))
    posts: list[tuple[float, int]] = []
    with ExitStack() as stack:
        stack.callback(smtp.stop)
        base = stack.enter_context(
            load.gunicorn("wsgi:app", args.port, args.database, args.workers, "/", logs / "site.log", env)
        )
        worker_env = {
            **os.environ,
            **env,
            "SUPERVISE_ENV": "production",
            "SECRET_KEY": load.staff.SECRET_KEY,
            "DATABASE_URL": args.database,
            "FLASK_APP": "wsgi",
        }
        workers = []
        for i in range(args.delivery):
            log = stack.enter_context(open(logs / f"worker-{i}.log", "ab"))
            workers.append(
                subprocess.Popen(
                    [str(FLASK), "worker", "--name", f"bench-filers-{i}-{time.time_ns()}"],
                    cwd=ROOT,
                    env=worker_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        stack.callback(stop, workers)
        print(
            f"{args.filers} filers for {args.seconds} s against {base}; {args.delivery} delivery worker(s); logs {logs}"
        )
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=filer, args=(base, n, *credentials[n], fields, until, posts))
            for n in range(args.filers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        filed_at = time.monotonic()
        while time.monotonic() - filed_at < args.drain:
            waits = acknowledgements(args.database, started)
            if all(w is not None for w in waits):
                break
            time.sleep(2)
        waits = acknowledgements(args.database, started)

    created = [d for d, status in posts if status == 201]
    sent = [w for w in waits if w is not None]
    statuses: dict[int, int] = {}
    for _d, status in posts:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"POSTs: {len(posts)} ({statuses}); filed {len(created) / args.seconds:.1f} complaints/s")
    if created:
        print(f"POST p50 {statistics.median(created) * 1000:.0f} ms, p95 {percentile(created, 0.95) * 1000:.0f} ms")
    print(
        f"acknowledgements: {len(sent)} sent of {len(waits)}, {len(inbox.received)} mails at the SMTP server; "
        f"wait p50 {statistics.median(sent) if sent else float('nan'):.1f} s, p95 {percentile(sent, 0.95):.1f} s, "
        f"max {max(sent, default=float('nan')):.1f} s"
    )


if __name__ == "__main__":
    main()
