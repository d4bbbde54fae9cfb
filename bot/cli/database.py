"""`hotline db`: the database schema."""

from __future__ import annotations

import click


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    from bot.storage.migrate import upgrade

    upgrade()
    click.echo("database is up to date")
