"""Prometheus metrics at ``/metrics``.

Two kinds:

* what each process counts as it serves — requests and their latency per endpoint. Under gunicorn
  every worker is a process of its own: with ``PROMETHEUS_MULTIPROC_DIR`` set (a directory per
  gunicorn instance, emptied when it starts: ``deploy/gunicorn.conf.py``) prometheus-client keeps
  the counts in files there and a scrape adds up every worker's, whichever worker answers it;
* what the platform's state is, read at scrape time from the database and Redis, so that it is the
  same whichever process (web, worker) changed it: queue lengths, the outbox by channel and state
  (deliveries and failures), overdue tickets by colour (from the measure cells, never a scan of the
  tickets), and the age of each periodic job's last run.

Reachable only from ``METRICS_ALLOWED_IPS`` or with ``Authorization: Bearer METRICS_TOKEN``; with
neither configured the endpoint does not exist (404).
"""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterator

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from supervise.health import bp

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "supervise_http_requests",
    "HTTP requests answered, by endpoint, method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "supervise_http_request_duration_seconds",
    "Time to answer a request, by endpoint",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# Methods kept as they are; anything else is counted as "other" (a client must not create label values).
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def init_app(app: Flask) -> None:
    """Time every request of ``app``."""
    app.before_request(_start_timer)
    app.after_request(_count_request)


def _start_timer() -> None:
    g._metrics_started = time.perf_counter()


def _count_request(response: Response) -> Response:
    started = g.pop("_metrics_started", None)
    # The endpoint's name, never the path: ids and unknown paths must not make new series.
    endpoint = request.endpoint or "none"
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(endpoint, method).observe(time.perf_counter() - started)
    return response


@bp.route("/metrics")
def metrics():
    """The metrics in Prometheus' text format, to allowed callers only."""
    _authorize()
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_PlatformState())
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _authorize() -> None:
    allowed = current_app.config.get("METRICS_ALLOWED_IPS") or []
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not allowed and not token:
        abort(404)
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return
    if _address_allowed(request.remote_addr, allowed):
        return
    abort(403)


def _address_allowed(address: str | None, allowed: list[str]) -> bool:
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for entry in allowed:
        try:
            if client in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            log.warning("METRICS_ALLOWED_IPS: %r is not an address or network", entry)
    return False


class _ThisProcess:
    """The request metrics of this process (one process: the development server, the tests)."""

    def collect(self) -> Iterator[Metric]:
        for metric in REGISTRY.collect():
            if metric.name.startswith("supervise_"):
                yield metric


class _PlatformState:
    """The platform's state, read at scrape time; a source that fails is left out and counted in
    ``supervise_metrics_source_up``."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "supervise_metrics_source_up", "Whether the source could be read at this scrape", labels=["source"]
        )
        for name, source in (("queues", _queues), ("outbox", _outbox), ("overdue", _overdue), ("periodic", _periodic)):
            try:
                found = list(source())
            except Exception as err:  # a scrape during an outage must still answer, and say so
                log.warning("metrics: %s could not be read: %s", name, err)
                from supervise.extensions import db

                db.session.rollback()
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from found
        yield up


def _queues() -> Iterator[Metric]:
    from supervise import jobs

    waiting = GaugeMetricFamily("supervise_queue_jobs", "Jobs waiting in each queue", labels=["queue"])
    failed = GaugeMetricFamily("supervise_queue_failed_jobs", "Failed jobs kept for each queue", labels=["queue"])
    if jobs.mode() == "rq":
        from rq.registry import FailedJobRegistry

        for name in jobs.QUEUES:
            queue = jobs.get_queue(name)
            waiting.add_metric([name], queue.count)
            failed.add_metric([name], FailedJobRegistry(queue=queue).count)
    else:
        from supervise.jobs import embedded

        waiting.add_metric(["in-process"], embedded._tasks.unfinished_tasks)
    yield waiting
    yield failed


def _outbox() -> Iterator[Metric]:
    from supervise.extensions import db
    from supervise.models import OutboxMessage

    family = GaugeMetricFamily(
        "supervise_outbox_messages",
        "Messages of the outbox by channel and state: pending and failed are the backlog, sent the "
        "deliveries, dead the deliveries given up",
        labels=["channel", "status"],
    )
    rows = db.session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
            OutboxMessage.channel, OutboxMessage.status
        )
    )
    for channel, status, count in rows:
        family.add_metric([channel, status], count)
    yield family


def _overdue() -> Iterator[Metric]:
    from supervise.extensions import db
    from supervise.models.stats import StatsCell

    overdue, red = db.session.execute(
        select(
            func.coalesce(func.sum(StatsCell.open_overdue), 0), func.coalesce(func.sum(StatsCell.open_overdue_red), 0)
        )
    ).one()
    family = GaugeMetricFamily(
        "supervise_overdue_tickets",
        "Open tickets past their time limit at the last refresh of the measures, "
        "by warning colour (red, or not yet red)",
        labels=["colour"],
    )
    family.add_metric(["red"], int(red))
    family.add_metric(["not_red"], int(overdue) - int(red))
    yield family


def _periodic() -> Iterator[Metric]:
    from supervise.domain.clock import now
    from supervise.jobs.status import last_runs

    age = GaugeMetricFamily(
        "supervise_periodic_job_last_run_age_seconds",
        "Seconds since each periodic job last started (absent: never ran)",
        labels=["job"],
    )
    ok = GaugeMetricFamily(
        "supervise_periodic_job_last_run_ok",
        "Whether each periodic job's last run succeeded (absent: still running or never ran)",
        labels=["job"],
    )
    at = now()
    for name, _cron, run in last_runs():
        if run is None:
            continue
        age.add_metric([name], max((at - run.started_at).total_seconds(), 0.0))
        if run.ok is not None:
            ok.add_metric([name], 1 if run.ok else 0)
    yield age
    yield ok
