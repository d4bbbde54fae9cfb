"""`hotline`: the operational commands, one module per command group (database, directory,
staff, cases, status, retention, running the stack and the worker, Telegram, the local demo)."""

from __future__ import annotations

import click

from bot.cli import cases, database, devtools, directory, retention, running, staff, status, telegram


@click.group()
def main() -> None:
    """Javi se hotline operations. DATABASE_URL selects the database."""


for command in (
    database.db,
    directory.directory,
    staff.staff,
    cases.case,
    status.status,
    running.worker,
    running.console,
    retention.purge,
    running.run,
    telegram.telegram,
    devtools.fakes,
    devtools.simulate,
    running.shell,
):
    main.add_command(command)


if __name__ == "__main__":
    main()
