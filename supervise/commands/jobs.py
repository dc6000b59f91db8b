"""Serving and background work: ``serve``, ``worker``, ``scheduler``, ``run-job``."""

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the platform with Werkzeug; without REDIS_URL the jobs and the schedule run inside."""
    from werkzeug.serving import run_simple

    from supervise import jobs
    from supervise.jobs import embedded

    app = current_app._get_current_object()
    if jobs.mode() == "thread":
        embedded.start_scheduler(app)
        click.echo("No REDIS_URL: jobs and the periodic schedule run inside this process.")
    else:
        click.echo("Jobs go to Redis: run `flask --app wsgi worker` and `flask --app wsgi scheduler`.")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.command("worker")
@click.option("--queues", default="mail,default", show_default=True, help="Queues to take jobs from, in order.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--name", default=None, help="A unique worker name (default: host and pid).")
@with_appcontext
def worker(queues: str, burst: bool, name: str | None) -> None:
    """Run an RQ worker that does not fork (each job in a fresh application context of this process,
    reusing its database, Redis and SMTP connections); start as many as the load needs. It outlives
    Redis outages: it waits for Redis and goes on (see supervise.jobs.worker)."""
    from supervise.jobs import worker as rq_worker

    rq_worker.work([q.strip() for q in queues.split(",") if q.strip()], name=name, burst=burst)


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the periodic schedule (supervise.jobs.schedule) on RQ's cron scheduler; a second one
    waits as a standby (supervise.jobs.leader)."""
    from supervise.jobs import JOB_TIMEOUT, redis_connection
    from supervise.jobs.leader import LeadingCronScheduler
    from supervise.jobs.schedule import SCHEDULE

    cron = LeadingCronScheduler(connection=redis_connection())
    for entry in SCHEDULE:
        cron.register(entry.func, queue_name=entry.queue, cron=entry.cron, job_timeout=JOB_TIMEOUT, name=entry.name)
    cron.start()


@click.command("run-job")
@click.argument("name")
@with_appcontext
def run_job(name: str) -> None:
    """Run one periodic job now, in this process (e.g. from a system cron or by hand)."""
    from supervise.jobs.schedule import SCHEDULE

    entry = next((e for e in SCHEDULE if e.name == name), None)
    if entry is None:
        raise click.BadParameter(f"choose one of: {', '.join(e.name for e in SCHEDULE)}")
    click.echo(entry.func())


COMMANDS = [serve, worker, scheduler, run_job]
