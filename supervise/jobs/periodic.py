"""The periodic jobs: each wraps a supervision rule, runs in one transaction and records its run."""

import logging
from collections.abc import Callable

from sqlalchemy import delete, select

from supervise.domain import ledger, supervision
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.domain.measures import cells
from supervise.domain.projects import reports as project_reports
from supervise.extensions import db
from supervise.jobs import forwarding, job
from supervise.jobs.delivery import relay_outbox as _relay_outbox
from supervise.models import JobRun

log = logging.getLogger(__name__)
KEEP_RUNS = 50
# Measure cells recomputed per transaction, and at most per run (the rest wait for the next minute).
MEASURES_BATCH = 100
MEASURES_PER_RUN = 20_000


def _recorded(name: str, work: Callable[[], str]) -> str:
    run = JobRun(name=name, started_at=now())
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    try:
        summary = work()
        db.session.commit()
        ok = True
    except Exception as err:
        db.session.rollback()
        log.exception("periodic job %s failed", name)
        summary, ok = f"{type(err).__name__}: {err}", False
    run = db.session.get(JobRun, run_id)
    run.finished_at, run.ok, run.summary = now(), ok, summary[:2000]
    old = select(JobRun.id).where(JobRun.name == name).order_by(JobRun.id.desc()).offset(KEEP_RUNS)
    db.session.execute(delete(JobRun).where(JobRun.id.in_(list(db.session.scalars(old)))))
    db.session.commit()
    if not ok:
        raise RuntimeError(summary)
    return summary


@job
def supervise_deadlines() -> str:
    """Warnings on handling deadlines and alerts on acceptance, signing and supervision orders."""

    def work() -> str:
        at = now()
        return f"warnings {supervision.handling_warnings(at)}, deadline alerts {supervision.deadline_alerts(at)}"

    return _recorded("supervise_deadlines", work)


@job
def monthly_reports() -> str:
    """On and after the 5th: reminders to report progress on tickets open for more than a month."""
    return _recorded("monthly_reports", lambda: f"reminders {supervision.monthly_report_reminders(now())}")


@job
def ratings() -> str:
    """Rating reminders, and closing tickets left unrated for seven days."""

    def work() -> str:
        reminded, closed = supervision.rating_reminders_and_unrated_close(now())
        return f"reminded {reminded}, closed unrated {closed}"

    return _recorded("ratings", work)


@job
def nightly_refresh() -> str:
    """Recompute what is kept precomputed: the overdue flags, then every measure cell."""

    def work() -> str:
        at = now()
        flags = supervision.refresh_overdue_flags(at)
        return f"overdue flags {flags}, measure cells {cells.refresh_all(at)}"

    return _recorded("nightly_refresh", work)


@job
def refresh_measures() -> str:
    """Recompute the measure cells marked dirty since the last run, a batch per transaction so that a
    user's action on a ticket of a cell waits for at most one short batch."""

    def work() -> str:
        done = 0
        while done < MEASURES_PER_RUN:
            count = cells.refresh_dirty(now(), limit=MEASURES_BATCH)
            db.session.commit()
            done += count
            if count < MEASURES_BATCH:
                break
        return f"cells {done}"

    return _recorded("refresh_measures", work)


@job
def relay_outbox() -> str:
    """Hand over undelivered messages (missed while Redis was down, or due for a retry)."""
    return _recorded("relay_outbox", lambda: f"handed over {_relay_outbox()}")


@job
def forwards() -> str:
    """Hand over the forwards due for a (re)try, and fetch the peers' answers onto the timelines."""

    def work() -> str:
        handed = forwarding.relay_forwards()
        return f"handed over {handed}, updates {forwarding.fetch_forwarded()}"

    return _recorded("forwards", work)


@job
def ledger_deadlines() -> str:
    """Warnings on rectification items past their deadline: the lead unit, the supervisors at red; once each."""
    return _recorded("ledger_deadlines", lambda: f"warnings {ledger.warn_late(now(), load_calendar())}")


@job
def project_duties() -> str:
    """Key projects: this month's report rows, and warnings on late reports and late milestones."""
    return _recorded("project_duties", lambda: project_reports.run_duties(now()))
