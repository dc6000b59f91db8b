"""Flask commands, one module per group: setup and demo data (:mod:`.seed`), accounts (:mod:`.users`),
serving, jobs and the schedule (:mod:`.jobs`), derived data kept in step (:mod:`.maintenance`: measures,
search, calendar), reference data as XLSX (:mod:`.reference`). Open311 keys live with Open311
(``supervise.open311.cli``); moving attachments between stores with the stores (``supervise.storage_migrate``)."""

from flask import Flask


def register(app: Flask) -> None:
    """Add every command to ``app.cli``."""
    from supervise import storage_migrate
    from supervise.commands import jobs, maintenance, reference, seed, users
    from supervise.open311 import cli as open311_cli

    for group in (seed, users, jobs, maintenance, reference):
        for command in group.COMMANDS:
            app.cli.add_command(command)
    open311_cli.register(app)
    storage_migrate.register(app)  # flask storage migrate
