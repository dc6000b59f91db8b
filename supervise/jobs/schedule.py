"""The schedule, declared once: RQ's cron scheduler (``flask scheduler``) and the embedded thread
(no Redis) both read this list."""

from collections.abc import Callable
from dataclasses import dataclass

from supervise.jobs import DEFAULT_QUEUE, alerts, indicators, periodic


@dataclass(frozen=True)
class Periodic:
    func: Callable
    cron: str
    queue: str = DEFAULT_QUEUE
    run_at_start: bool = False  # also once when the embedded scheduler starts

    @property
    def name(self) -> str:
        return self.func.__name__


SCHEDULE = [
    Periodic(periodic.relay_outbox, "* * * * *", run_at_start=True),
    Periodic(periodic.supervise_deadlines, "*/10 * * * *", run_at_start=True),
    Periodic(periodic.ratings, "15 * * * *", run_at_start=True),
    # Daily from the 5th: the job itself does nothing before the 5th and reminds each ticket once a month.
    Periodic(periodic.monthly_reports, "0 8 * * *", run_at_start=True),
    Periodic(periodic.refresh_measures, "* * * * *", run_at_start=True),
    Periodic(periodic.forwards, "*/5 * * * *", run_at_start=True),
    Periodic(periodic.nightly_refresh, "30 2 * * *"),
    Periodic(alerts.public_alerts, "* * * * *", run_at_start=True),
    Periodic(indicators.indicator_tasks, "20 8 * * *", run_at_start=True),
    Periodic(periodic.ledger_deadlines, "20 * * * *", run_at_start=True),
    Periodic(periodic.project_duties, "5 * * * *", run_at_start=True),  # key projects' reports and milestones
]
