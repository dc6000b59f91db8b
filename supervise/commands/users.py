"""``flask create-user``: staff accounts from the command line (the first administrator)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from supervise.extensions import db

STAFF_ROLES = ["handler", "leader", "supervisor", "cadre", "admin"]


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES))
@click.option("--name", required=True)
@click.option("--unit", "unit_name", help="The unit's name (handlers and leaders).")
@click.password_option()
@with_appcontext
def create_user(username: str, role: str, name: str, unit_name: str | None, password: str) -> None:
    """Create a staff account."""
    from supervise.models import Role, Unit
    from supervise.operations import OperationError, users

    unit = None
    if role in ("handler", "leader"):  # only they belong to a unit
        unit = db.session.scalar(select(Unit).where(Unit.name == unit_name)) if unit_name else None
        if unit is None:
            raise click.BadParameter("handlers and leaders need --unit with an existing unit's name")
    try:
        users.create_staff(None, username=username, name=name, role=Role(role), unit=unit, password=password)
    except users.UsernameTaken:
        raise click.BadParameter(f"{username} exists") from None
    except OperationError as err:
        raise click.BadParameter(str(err.message)) from None
    db.session.commit()
    click.echo(f"Created {role} {username}.")


COMMANDS = [create_user]
