"""`hotline status`: what an operator checks during and after an outage."""

from __future__ import annotations

import sys

import click

from bot.cli.output import local_time


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The same facts as JSON, for monitoring.")
def status(as_json: bool) -> None:
    """Whether the database answers, the local journal's depth and oldest message (what
    waits to be replayed after an outage), the outbox's unsent messages, the inbox's
    dead letters (deliveries whose turn failed every attempt), and what the flood limit and
    the SMS caps held back in the last 24 hours. Exits 1
    while the database is unreachable or the journal is not empty."""
    import json

    from bot.ops import health
    from bot.storage import journal

    facts = health.check()
    if as_json:
        click.echo(json.dumps(facts.as_dict()))
    else:
        click.echo(
            "database  " + ("reachable" if facts.database_error is None else f"UNREACHABLE: {facts.database_error}")
        )
        waiting = (
            f"{facts.journal_depth} message(s) waiting, the oldest from {local_time(facts.journal_oldest)}"
            if facts.journal_depth
            else "empty"
        )
        click.echo(f"journal   {waiting} ({journal.journal_dir()})")
        click.echo(
            "outbox    "
            + ("unknown" if facts.outbox_pending is None else f"{facts.outbox_pending} message(s) not yet sent")
        )
        click.echo(
            "inbox     "
            + (
                "unknown"
                if facts.dead_letters is None
                else f"{facts.dead_letters} dead letter(s): turns that failed every attempt"
            )
        )
        if facts.limited is not None:
            click.echo(
                f"limits    last 24 h: {facts.limited} message(s) held by the flood limit, "
                f"{facts.sms_held} SMS reply(ies) held by the daily caps, "
                f"{facts.sms_crisis_past_cap} crisis SMS sent past a cap"
            )
    if facts.database_error is not None or facts.journal_depth:
        sys.exit(1)
