"""Derived data kept in step by hand: ``measures-refresh``, ``search-reindex``, ``calendar-sync``,
``counts-rebuild``."""

import click
from flask.cli import with_appcontext

from supervise.extensions import db


@click.command("measures-refresh")
@click.option("--all", "everything", is_flag=True, help="Recompute every cell, not only the dirty ones.")
@with_appcontext
def measures_refresh(everything: bool) -> None:
    """Recompute the kept measures (after importing tickets outside the state machine)."""
    from supervise.domain.measures import cells

    count = cells.refresh_all() if everything else cells.refresh_dirty()
    db.session.commit()
    click.echo(f"{count} measure cells recomputed.")


@click.command("search-reindex")
@with_appcontext
def search_reindex() -> None:
    """Rebuild every ticket's search document (after a backfill or a change of tokenisation)."""
    from supervise.domain import search

    click.echo(f"{search.reindex_all()} search documents rebuilt.")


@click.command("calendar-sync")
@click.argument("years", nargs=-1, type=int)
@with_appcontext
def calendar_sync(years: tuple[int, ...]) -> None:
    """Load holidays and make-up working days for YEARS from the chinese_calendar package
    (default: this year and next); days an administrator corrected are kept."""
    from supervise.domain.calendar_admin import sync_from_package
    from supervise.domain.clock import now

    chosen = list(years) or [now().year, now().year + 1]
    added = sync_from_package(chosen)
    db.session.commit()
    click.echo(f"{added} calendar days loaded for {', '.join(map(str, chosen))}.")


@click.command("counts-rebuild")
@with_appcontext
def counts_rebuild() -> None:
    """Recompute the kept ticket counts (workbench tabs, console queues) from the tickets, and copy
    each ticket's state and due date onto its co-handling rows, after an import that went around the
    application."""
    from supervise.domain import co_copies, counts

    rows = counts.rebuild()
    co_copies.refresh()
    db.session.commit()
    click.echo(f"{rows} ticket counts rebuilt; co-handling rows' state and due date copied.")


COMMANDS = [measures_refresh, search_reindex, calendar_sync, counts_rebuild]
