"""``flask reference export FILE`` and ``flask reference import FILE``: a zone's reference data as the
administration's XLSX template (:mod:`supervise.operations.reference`)."""

import click
from flask.cli import AppGroup

from supervise.extensions import db

reference = AppGroup("reference", help="Units, areas, categories, routing rules and staff users as an XLSX workbook.")


@reference.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(path: str) -> None:
    """Write the reference data to PATH."""
    from supervise.operations import reference as reference_io

    with open(path, "wb") as out:
        out.write(reference_io.export_workbook())
    click.echo(f"Exported to {path}.")


@reference.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Import PATH: all of it, or nothing when any row is wrong (the errors are listed, exit status 1).
    New accounts' initial passwords are printed once."""
    from supervise.operations import reference as reference_io

    with open(path, "rb") as stream:
        result = reference_io.import_workbook(None, stream)
    if not result.ok:
        db.session.rollback()
        for error in result.errors:
            where = " ".join(str(part) for part in (error.sheet, error.row, error.column) if part)
            click.echo(f"{where}: {error.message}" if where else error.message, err=True)
        raise SystemExit(1)
    db.session.commit()
    for change in result.changes:
        click.echo(f"{change.sheet} {change.row} {change.name}: {'created' if change.created else 'updated'}")
    click.echo(f"{len(result.created)} created, {len(result.updated)} updated, {result.unchanged} unchanged.")
    for username, password in result.passwords.items():
        click.echo(f"initial password of {username}: {password}")


COMMANDS = [reference]
