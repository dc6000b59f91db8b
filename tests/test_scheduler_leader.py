"""Two `flask scheduler` processes: one leads and enqueues, the other waits and takes over."""

from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.cron import now

from supervise.jobs import periodic
from supervise.jobs.leader import LEADER_KEY, LeadingCronScheduler

pytestmark = pytest.mark.redis


def _scheduler(connection: Redis, name: str) -> LeadingCronScheduler:
    cron = LeadingCronScheduler(connection=connection, name=name)
    cron.register(periodic.relay_outbox, queue_name="default", cron="* * * * *", name="relay_outbox")
    cron.register_birth()  # as start() does
    return cron


def _make_due(cron: LeadingCronScheduler) -> None:
    for job in cron.get_jobs():
        job.next_enqueue_time = now() - timedelta(seconds=1)


def test_a_second_scheduler_does_not_double_the_schedule_and_takes_over_when_the_first_stops(redis_server):
    connection = Redis.from_url(redis_server.url)
    first, second = _scheduler(connection, "first"), _scheduler(connection, "second")
    queue = Queue("default", connection=connection)
    for period in range(1, 4):  # each period both find the job due; the leader alone enqueues it
        for cron in (second, first) if period % 2 else (first, second):
            _make_due(cron)
            cron.enqueue_jobs()
        assert queue.count == period
    assert connection.get(LEADER_KEY) == b"second"  # the first to ask

    assert all(job.next_enqueue_time > now() for job in first.get_jobs())  # the standby kept time

    second.register_death()  # stops cleanly: gives the key up
    assert connection.get(LEADER_KEY) is None
    _make_due(first)
    assert len(first.enqueue_jobs()) == 1
    assert connection.get(LEADER_KEY) == b"first"
    _make_due(second)
    assert second.enqueue_jobs() == []  # back again, as the standby now
    assert queue.count == 4
