"""What the operations page shows: queues, failed jobs, periodic runs, the outbox backlog."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from supervise import jobs
from supervise.extensions import db
from supervise.jobs.schedule import SCHEDULE
from supervise.models import JobRun, OutboxMessage, Ticket, TicketAlert, User, month_key


@dataclass
class FailedJob:
    id: str
    queue: str
    func: str
    args: str
    ended_at: datetime | None
    error: str


@dataclass
class QueueStatus:
    mode: str
    reachable: bool
    error: str = ""
    lengths: dict[str, int] = field(default_factory=dict)
    running: dict[str, int] = field(default_factory=dict)
    failed: list[FailedJob] = field(default_factory=list)
    workers: int = 0


def queue_status() -> QueueStatus:
    mode = jobs.mode()
    if mode != "rq":
        from supervise.jobs import embedded

        return QueueStatus(mode, True, lengths={"in-process": embedded._tasks.unfinished_tasks})
    status = QueueStatus(mode, False)
    try:
        from rq import Worker
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        connection = jobs.redis_connection()
        for name in jobs.QUEUES:
            queue = jobs.get_queue(name)
            status.lengths[name] = queue.count
            status.running[name] = StartedJobRegistry(queue=queue).count
            registry = FailedJobRegistry(queue=queue)
            for job in queue.job_class.fetch_many(registry.get_job_ids(0, 49), connection=connection):
                if job is None:
                    continue
                error = (job.latest_result().exc_string if job.latest_result() else "") or ""
                status.failed.append(
                    FailedJob(
                        job.id,
                        name,
                        job.func_name,
                        repr(job.args)[:200],
                        job.ended_at,
                        error.strip().splitlines()[-1] if error.strip() else "",
                    )
                )
        status.workers = len(Worker.all(connection=connection))
        status.reachable = True
    except Exception as err:  # the page must work while Redis is down: that is when it is needed
        status.error = f"{type(err).__name__}: {err}"
    return status


def retry_failed_job(job_id: str) -> bool:
    """Queue a failed RQ job again; False when there is no such job (or no RQ). Raises the
    connection's error when Redis cannot be reached."""
    from rq.registry import FailedJobRegistry

    if jobs.mode() != "rq":
        return False
    for name in jobs.QUEUES:
        registry = FailedJobRegistry(queue=jobs.get_queue(name))
        if job_id in registry.get_job_ids():
            registry.requeue(job_id)
            return True
    return False


def last_runs() -> list[tuple[str, str, JobRun | None]]:
    latest = {
        run.name: run
        for run in db.session.scalars(
            select(JobRun).where(JobRun.id.in_(select(func.max(JobRun.id)).group_by(JobRun.name)))
        )
    }
    return [(entry.name, entry.cron, latest.get(entry.name)) for entry in SCHEDULE]


def outbox_summary() -> dict:
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(("pending", "failed")))
    )
    problems = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status.in_(("failed", "dead")))
            .order_by(OutboxMessage.id.desc())
            .limit(50)
        )
    )
    return {"counts": counts, "oldest_pending": oldest, "problems": problems}


def monthly_reports(at: datetime) -> list[tuple[TicketAlert, Ticket, User | None]]:
    rows = db.session.execute(
        select(TicketAlert, Ticket, User)
        .join(Ticket, Ticket.id == TicketAlert.ticket_id)
        .outerjoin(User, User.id == TicketAlert.resolved_by_id)
        .where(TicketAlert.kind == "monthly_report", TicketAlert.due_key == month_key(at.date()))
        .order_by(TicketAlert.resolved_at.is_not(None), Ticket.id)
        .limit(200)
    ).all()
    return [tuple(r) for r in rows]
