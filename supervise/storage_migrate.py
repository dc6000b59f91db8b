"""``flask storage migrate --from local --to s3`` (and back): copy every stored file of the database
to the other store and verify each copy by its size and SHA-256 read back from the target.

Idempotent: a file already in the target with the same size and checksum is left alone, so the
command can run again after the switch (``STORAGE_BACKEND``) to take the files uploaded meanwhile.
The source is never changed or deleted.
"""

from dataclasses import dataclass, field

import click
from flask import Flask, current_app
from sqlalchemy import select

from supervise.extensions import db
from supervise.models import Attachment, LicenceReview
from supervise.storage import FileStore, checksum, make_store


@dataclass
class Report:
    copied: int = 0
    already: int = 0
    missing: list[str] = field(default_factory=list)  # recorded in the database, not in the source
    failed: list[str] = field(default_factory=list)  # copied, but read back different


def stored_names() -> list[str]:
    """Every stored name the database refers to: attachments and business licences."""
    names = set(db.session.scalars(select(Attachment.stored_name)))
    names.update(db.session.scalars(select(LicenceReview.stored_name)))
    return sorted(names)


def _fingerprint(store: FileStore, name: str) -> tuple[int, str] | None:
    try:
        return checksum(store.open(name))
    except FileNotFoundError:
        return None


def copy_one(source: FileStore, target: FileStore, name: str, report: Report) -> None:
    """Copy ``name`` unless the target has it already; verify what the target then holds."""
    wanted = _fingerprint(source, name)
    if wanted is None:
        report.missing.append(name)
        return
    if target.exists(name) and _fingerprint(target, name) == wanted:
        report.already += 1
        return
    stream = source.open(name)
    try:
        target.save(name, stream)
    finally:
        stream.close()
    if _fingerprint(target, name) == wanted:
        report.copied += 1
    else:
        report.failed.append(name)


def migrate(source: FileStore, target: FileStore, names: list[str]) -> Report:
    """Copy ``names`` from ``source`` to ``target``; see :class:`Report`."""
    report = Report()
    for name in names:
        copy_one(source, target, name, report)
    return report


@click.group("storage")
def storage_group() -> None:
    """Where attachments are kept (STORAGE_BACKEND)."""


@storage_group.command("migrate")
@click.option("--from", "from_kind", type=click.Choice(["local", "s3"]), required=True)
@click.option("--to", "to_kind", type=click.Choice(["local", "s3"]), required=True)
def migrate_command(from_kind: str, to_kind: str) -> None:
    """Copy every stored file to the other store and verify each (size and SHA-256); safe to repeat."""
    if from_kind == to_kind:
        raise click.BadParameter("--from and --to must differ")
    source, target = make_store(current_app.config, from_kind), make_store(current_app.config, to_kind)
    names = stored_names()
    report = migrate(source, target, names)
    click.echo(
        f"{len(names)} files: {report.copied} copied and verified, {report.already} already there, "
        f"{len(report.missing)} missing from {from_kind}, {len(report.failed)} failed verification"
    )
    for name in report.missing:
        click.echo(f"missing: {name}", err=True)
    for name in report.failed:
        click.echo(f"failed: {name}", err=True)
    if report.failed or report.missing:
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(storage_group)
