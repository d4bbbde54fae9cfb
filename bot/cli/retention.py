"""`hotline purge`: forget what the hotline no longer needs to keep."""

from __future__ import annotations

import click

from bot import settings


@click.command()
@click.option("--days", type=int, default=None, help="Retention in days (default HOTLINE_RETENTION_DAYS or 30).")
def purge(days: int | None) -> None:
    """Delete conversation history older than the retention period."""
    from bot.channels.sms_budget import forget_old_spending
    from bot.privacy.reporter_addresses import purge_expired
    from bot.privacy.retention import purge_conversations
    from bot.storage.db import default_engine, session_scope

    days = days if days is not None else settings.retention_days()
    removed = purge_conversations(default_engine(), days)
    with session_scope() as session:
        expired = purge_expired(session)
        forget_old_spending(session)
    click.echo(f"deleted {removed} conversations idle for more than {days} days and {expired} expired contact details")
