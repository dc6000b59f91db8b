"""``flask api-key``: issue, list and revoke Open311 API keys from the command line."""

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from supervise.extensions import db
from supervise.models import ApiKey
from supervise.open311 import keys
from supervise.times import human


def register(app: Flask) -> None:
    group = AppGroup("api-key", help="Open311 API keys (clients that file complaints).")

    @group.command("create")
    @click.argument("name")
    def create(name: str) -> None:
        """Issue a key for the client NAME; the key is printed once, alone on the last line."""
        key, secret = keys.issue(name)
        db.session.commit()
        click.echo(f"API key {key.prefix}… issued to {key.name}. Store it now: it is not shown again.")
        click.echo(secret)

    @group.command("list")
    def list_keys() -> None:
        """The keys issued, newest first."""
        for key in db.session.scalars(select(ApiKey).order_by(ApiKey.id.desc())):
            status = f"revoked {human(key.revoked_at)}" if key.revoked_at else "active"
            used = human(key.last_used_at) if key.last_used_at else "never used"
            click.echo(f"{key.prefix:<10} {key.name:<30} {human(key.created_at)}  {used:<16}  {status}")

    @group.command("revoke")
    @click.argument("prefix")
    def revoke(prefix: str) -> None:
        """Revoke the key whose shown prefix is PREFIX."""
        found = list(db.session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)))
        if len(found) != 1:
            raise click.BadParameter("no key, or more than one, has this prefix; see `api-key list`")
        if keys.revoke(found[0]):
            db.session.commit()
            click.echo(f"Revoked {prefix} ({found[0].name}).")
        else:
            click.echo(f"{prefix} was already revoked.")

    app.cli.add_command(group)
