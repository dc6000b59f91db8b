"""``flask seed``: reference data and, by default, the demo."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from supervise.extensions import db


@click.command("seed")
@click.option("--demo/--no-demo", default=True, help="Also load demo enterprises and tickets.")
@click.option("--tickets", default=360, show_default=True, help="How many demo tickets.")
@with_appcontext
def seed(demo: bool, tickets: int) -> None:
    """Load reference data (units, categories, routing, calendar) and, by default, demo data,
    when the database has none yet. What the demo's commits hand over (its messages) goes to the
    jobs at the end, in one batch: without Redis the jobs' thread does not write beside the seed."""
    from supervise import jobs
    from supervise import seed as seeding
    from supervise.models import Unit

    if db.session.scalar(select(func.count()).select_from(Unit)):
        click.echo("The database already has data; nothing loaded.")
        logins = seeding.demo_logins() if demo else []
    else:
        with jobs.batch():
            seeding.load_reference()
            logins = seeding.load_demo(tickets=tickets) if demo else []
            db.session.commit()
        click.echo("Reference data loaded." + (" Demo data loaded." if demo else ""))
    if logins:
        click.echo(f"\nDemo logins (password for all: {seeding.DEMO_PASSWORD}):")
        for role, username, name in logins:
            click.echo(f"  {role:<12} {username:<16} {name}")
        units = seeding.unit_logins()
        click.echo(f"\nEvery unit's handler and leader ({len(units)} units, same password):")
        for unit, usernames in units:
            click.echo(f"  {' / '.join(usernames):<40} {unit}")


COMMANDS = [seed]
