"""/metrics: Prometheus' text format, scraped and parsed; only from allowed addresses or with the token;
the counts of every gunicorn worker added up in multiprocess mode."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import JobRun, OutboxMessage
from supervise.models.stats import StatsCell
from tests.conftest import ROOT, _wait_for_port, free_port, service_env
from tests.production import production_like

TOKEN = "metrics-token-for-the-tests"


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample as {(name, sorted labels): value}."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _scrape(client, **headers) -> dict:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "Set-Cookie" not in response.headers
    return _samples(response.get_data(as_text=True))


def _requests(samples: dict, endpoint: str) -> float:
    return sum(
        value
        for (name, labels), value in samples.items()
        if name == "supervise_http_requests_total" and dict(labels).get("endpoint") == endpoint
    )


def test_metrics_do_not_exist_unless_configured(app):
    with production_like(app) as built:
        assert built.test_client().get("/metrics").status_code == 404


def test_metrics_answer_allowed_addresses_and_the_token_only(app):
    with production_like(app, METRICS_TOKEN=TOKEN, METRICS_ALLOWED_IPS=["10.0.0.0/8"]) as built:
        client = built.test_client()
        assert client.get("/metrics").status_code == 403  # 127.0.0.1 is not in 10.0.0.0/8
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    with production_like(app, METRICS_ALLOWED_IPS=["127.0.0.1", "::1"]) as built:
        assert built.test_client().get("/metrics").status_code == 200
        # Behind a trusted proxy the address is the client's, from X-Forwarded-For.
    with production_like(app, METRICS_ALLOWED_IPS=["127.0.0.1"], TRUSTED_PROXIES=1) as built:
        forwarded = {"X-Forwarded-For": "203.0.113.9"}
        assert built.test_client().get("/metrics", headers=forwarded).status_code == 403


def test_requests_and_latency_per_endpoint(app):
    with production_like(app, METRICS_TOKEN=TOKEN) as built:
        client = built.test_client()
        auth = {"Authorization": f"Bearer {TOKEN}"}
        before = _scrape(client, **auth)
        for _ in range(3):
            client.get("/healthz")
        client.get("/no/such/page")
        after = _scrape(client, **auth)
        assert _requests(after, "health.healthz") - _requests(before, "health.healthz") == 3
        assert _requests(after, "none") - _requests(before, "none") == 1  # 404s: one series, not one a path
        key = ("supervise_http_request_duration_seconds_count", (("endpoint", "health.healthz"), ("method", "GET")))
        assert after[key] - before.get(key, 0) == 3


@pytest.mark.committed  # the production app has an engine of its own
def test_the_platform_state_outbox_overdue_periodic_jobs_and_queues(app, world):
    at = now()
    for channel, status, count in (
        ("email", "sent", 3),
        ("email", "failed", 1),
        ("sms", "pending", 2),
        ("sms", "dead", 1),
    ):
        for i in range(count):
            db.session.add(
                OutboxMessage(
                    dedupe_key=f"{channel}-{status}-{i}",
                    channel=channel,
                    address="x",
                    subject="s",
                    body="b",
                    status=status,
                )
            )
    month = date(at.year, at.month, 1)
    db.session.add_all(
        [
            StatsCell(month=month, unit_id=1, category_id=1, open_overdue=5, open_overdue_red=2),
            StatsCell(month=month, unit_id=2, category_id=1, open_overdue=1, open_overdue_red=1),
        ]
    )
    db.session.add_all(
        [
            JobRun(name="relay_outbox", started_at=at - timedelta(minutes=10), ok=True),
            JobRun(name="relay_outbox", started_at=at - timedelta(seconds=30), ok=True, finished_at=at),
            JobRun(name="ratings", started_at=at - timedelta(hours=2), ok=False, finished_at=at),
        ]
    )
    db.session.commit()
    with production_like(app, METRICS_TOKEN=TOKEN) as built:
        samples = _scrape(built.test_client(), Authorization=f"Bearer {TOKEN}")

    def value(name: str, **labels) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("supervise_outbox_messages", channel="email", status="sent") == 3
    assert value("supervise_outbox_messages", channel="email", status="failed") == 1
    assert value("supervise_outbox_messages", channel="sms", status="pending") == 2
    assert value("supervise_outbox_messages", channel="sms", status="dead") == 1
    assert value("supervise_overdue_tickets", colour="red") == 3
    assert value("supervise_overdue_tickets", colour="not_red") == 3
    assert 30 <= value("supervise_periodic_job_last_run_age_seconds", job="relay_outbox") < 90
    assert value("supervise_periodic_job_last_run_ok", job="relay_outbox") == 1
    assert value("supervise_periodic_job_last_run_ok", job="ratings") == 0
    assert ("supervise_periodic_job_last_run_age_seconds", (("job", "nightly_refresh"),)) not in samples
    assert value("supervise_queue_jobs", queue="in-process") >= 0  # eager jobs: the in-process queue
    for source in ("queues", "outbox", "overdue", "periodic"):
        assert value("supervise_metrics_source_up", source=source) == 1


@pytest.mark.redis
def test_queue_lengths_from_redis_and_a_redis_outage_is_reported(app, redis_server):
    from supervise import jobs
    from supervise.jobs import periodic

    with production_like(app, METRICS_TOKEN=TOKEN, REDIS_URL=redis_server.url, JOBS_MODE="rq") as built:
        client, auth = built.test_client(), {"Authorization": f"Bearer {TOKEN}"}
        with built.app_context():
            for _ in range(2):
                jobs.enqueue(periodic.relay_outbox)
        samples = _scrape(client, **auth)
        assert samples[("supervise_queue_jobs", (("queue", "default"),))] == 2
        assert samples[("supervise_queue_jobs", (("queue", "mail"),))] == 0
        redis_server.stop()
        samples = _scrape(client, **auth)
        assert samples[("supervise_metrics_source_up", (("source", "queues"),))] == 0
        assert samples[("supervise_metrics_source_up", (("source", "outbox"),))] == 1


@pytest.mark.redis
@pytest.mark.committed  # gunicorn reads the database on connections of its own
def test_gunicorn_workers_counts_are_added_up_in_multiprocess_mode(app, tmp_path):
    """Three gunicorn workers: however the requests and the scrapes fall on them, the totals are the same."""
    port = free_port()
    env = service_env(
        app.config["SQLALCHEMY_DATABASE_URI"],
        "",
        tmp_path,
        SUPERVISE_ENV="production",
        SECRET_KEY="metrics-test-secret-of-at-least-32-bytes",
        SESSION_COOKIE_SECURE="0",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
    )
    with open(tmp_path / "gunicorn.log", "ab") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "--workers",
                "3",
                "--threads",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        _wait_for_port(port, "gunicorn", server)
        base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {TOKEN}"}

        def scrape() -> float:
            response = requests.get(f"{base}/metrics", headers={**auth, "Connection": "close"}, timeout=60)
            assert response.status_code == 200
            return _requests(_samples(response.text), "health.healthz")

        before = scrape()  # the workers load the app on their first request: give them time
        for _ in range(30):  # a new connection each: gunicorn's workers take them in turn
            response = requests.get(f"{base}/healthz", timeout=60, headers={"Connection": "close"})
            assert response.status_code == 200
        assert [scrape() for _ in range(6)] == [before + 30] * 6
        assert len(os.listdir(tmp_path / "prometheus")) > 1  # the counts were written by several workers
    finally:
        server.terminate()
        server.wait(20)
