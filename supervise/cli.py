"""Flask commands: database setup, demo data, users, calendar."""

import click
from flask import Flask
from sqlalchemy import func, select

from supervise.extensions import db


def register(app: Flask) -> None:
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
            click.echo("\nDemo logins (password for all: %s):" % seeding.DEMO_PASSWORD)
            for role, username, name in logins:
                click.echo(f"  {role:<12} {username:<16} {name}")

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
