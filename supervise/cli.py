"""Flask commands: database setup, demo data, users, calendar."""

import click
from flask import Flask
from sqlalchemy import func, select

from supervise.extensions import db


def register(app: Flask) -> None:
    from supervise.open311 import cli as open311_cli

    open311_cli.register(app)
    @app.cli.command("seed")
    @click.option("--demo/--no-demo", default=True, help="Also load demo enterprises and tickets.")
    @click.option("--tickets", default=360, show_default=True, help="How many demo tickets.")
    def seed(demo: bool, tickets: int) -> None:
        """Load reference data (units, categories, routing, calendar) and, by default, demo data,
        when the database has none yet."""
        from supervise import seed as seeding
        from supervise.models import Unit

        if db.session.scalar(select(func.count()).select_from(Unit)):
            click.echo("The database already has data; nothing loaded.")
            logins = seeding.demo_logins() if demo else []
        else:
            seeding.load_reference()
            logins = seeding.load_demo(tickets=tickets) if demo else []
            db.session.commit()
            click.echo("Reference data loaded." + (" Demo data loaded." if demo else ""))
        if logins:
            click.echo(f"\nDemo logins (password for all: {seeding.DEMO_PASSWORD}):")
            for role, username, name in logins:
                click.echo(f"  {role:<12} {username:<16} {name}")

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    def serve(host: str, port: int) -> None:
        """Serve the platform with Werkzeug; without REDIS_URL the jobs and the schedule run inside."""
        from werkzeug.serving import run_simple

        from supervise import jobs
        from supervise.jobs import embedded

        if jobs.mode() == "thread":
            embedded.start_scheduler(app)
            click.echo("No REDIS_URL: jobs and the periodic schedule run inside this process.")
        else:
            click.echo("Jobs go to Redis: run `flask --app wsgi worker` and `flask --app wsgi scheduler`.")
        run_simple(host, port, app, threaded=True, use_reloader=False)

    @app.cli.command("worker")
    @click.option("--queues", default="mail,default", show_default=True, help="Queues to take jobs from, in order.")
    @click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
    @click.option("--name", default=None, help="A unique worker name (default: host and pid).")
    def worker(queues: str, burst: bool, name: str | None) -> None:
        """Run an RQ worker with an application context; start as many as the load needs. It outlives
        Redis outages: it waits for Redis and goes on (see supervise.jobs.worker)."""
        import os

        from supervise.jobs import worker as rq_worker

        # Each job runs in a forked work horse: it must not share the parent's database connections.
        os.register_at_fork(after_in_child=lambda: db.engine.dispose(close=False))
        rq_worker.work([q.strip() for q in queues.split(",") if q.strip()], name=name, burst=burst)

    @app.cli.command("scheduler")
    def scheduler() -> None:
        """Run the periodic schedule (supervise.jobs.schedule) on RQ's cron scheduler; a second one
        waits as a standby (supervise.jobs.leader)."""
        from supervise.jobs import JOB_TIMEOUT, redis_connection
        from supervise.jobs.leader import LeadingCronScheduler
        from supervise.jobs.schedule import SCHEDULE

        cron = LeadingCronScheduler(connection=redis_connection())
        for entry in SCHEDULE:
            cron.register(entry.func, queue_name=entry.queue, cron=entry.cron, job_timeout=JOB_TIMEOUT,
                          name=entry.name)
        cron.start()

    @app.cli.command("run-job")
    @click.argument("name")
    def run_job(name: str) -> None:
        """Run one periodic job now, in this process (e.g. from a system cron or by hand)."""
        from supervise.jobs.schedule import SCHEDULE

        entry = next((e for e in SCHEDULE if e.name == name), None)
        if entry is None:
            raise click.BadParameter(f"choose one of: {', '.join(e.name for e in SCHEDULE)}")
        click.echo(entry.func())

    @app.cli.command("measures-refresh")
    @click.option("--all", "everything", is_flag=True, help="Recompute every cell, not only the dirty ones.")
    def measures_refresh(everything: bool) -> None:
        """Recompute the kept measures (after importing tickets outside the state machine)."""
        from supervise.domain import measures

        count = measures.refresh_all() if everything else measures.refresh_dirty()
        db.session.commit()
        click.echo(f"{count} measure cells recomputed.")

    @app.cli.command("search-reindex")
    def search_reindex() -> None:
        """Rebuild every ticket's search document (after a backfill or a change of tokenisation)."""
        from supervise.domain import search

        click.echo(f"{search.reindex_all()} search documents rebuilt.")

    @app.cli.command("calendar-sync")
    @click.argument("years", nargs=-1, type=int)
    def calendar_sync(years: tuple[int, ...]) -> None:
        """Load holidays and make-up working days for YEARS from the chinese_calendar package
        (default: this year and next); days an administrator corrected are kept."""
        from supervise.domain.calendar_admin import sync_from_package
        from supervise.domain.clock import now

        chosen = list(years) or [now().year, now().year + 1]
        added = sync_from_package(chosen)
        db.session.commit()
        click.echo(f"{added} calendar days loaded for {', '.join(map(str, chosen))}.")

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice(["handler", "leader", "supervisor", "cadre", "admin"]))
    @click.option("--name", required=True)
    @click.option("--unit", "unit_name", help="The unit's name (handlers and leaders).")
    @click.password_option()
    def create_user(username: str, role: str, name: str, unit_name: str | None, password: str) -> None:
        """Create a staff account."""
        from supervise.models import Role, Unit, User

        unit = None
        if role in ("handler", "leader"):
            unit = db.session.scalar(select(Unit).where(Unit.name == unit_name)) if unit_name else None
            if unit is None:
                raise click.BadParameter("handlers and leaders need --unit with an existing unit's name")
        if User.by_username(username):
            raise click.BadParameter(f"{username} exists")
        user = User(username=username, name=name, role=Role(role), unit=unit)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Created {role} {username}.")
