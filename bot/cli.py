"""`hotline`: the operational commands (database, directory, retention, running the stack)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml

from bot import settings
from bot.paths import DATA_DIR

SAMPLE_DIRECTORY = DATA_DIR / "directory.yml"


@click.group()
def main() -> None:
    """Javi se hotline operations. DATABASE_URL selects the database."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    from bot.storage.migrate import upgrade

    upgrade()
    click.echo("database is up to date")


@main.group()
def directory() -> None:
    """Municipalities and schools."""


@directory.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                default=SAMPLE_DIRECTORY)
def directory_import(path: Path) -> None:
    """Load a directory YAML file (default: the sample Canton 10 directory)."""
    from bot.directory import DirectoryError, import_directory
    from bot.storage.db import session_scope

    try:
        with session_scope() as session:
            municipalities, schools = import_directory(session, path)
    except DirectoryError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"imported {municipalities} municipalities and {schools} schools from {path}")


@directory.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
def directory_export(path: Path | None) -> None:
    """Write the directory as YAML (to PATH or standard output)."""
    from bot.directory import export_directory
    from bot.storage.db import session_scope

    with session_scope() as session:
        text = yaml.safe_dump(export_directory(session), allow_unicode=True, sort_keys=False)
    if path:
        path.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command()
@click.option("--days", type=int, default=None, help="Retention in days (default HOTLINE_RETENTION_DAYS or 30).")
def purge(days: int | None) -> None:
    """Delete conversation history older than the retention period."""
    from bot.retention import purge_conversations
    from bot.storage.db import default_engine

    from bot.contact_vault import purge_expired
    from bot.storage.db import session_scope

    days = days if days is not None else settings.retention_days()
    removed = purge_conversations(default_engine(), days)
    with session_scope() as session:
        expired = purge_expired(session)
    click.echo(f"deleted {removed} conversations idle for more than {days} days"
               f" and {expired} expired contact details")


@main.command()
@click.option("--port", default=5005, show_default=True)
@click.option("--actions-port", default=5055, show_default=True)
def run(port: int, actions_port: int) -> None:
    """Run the Rasa server and the action server together (Ctrl-C stops both)."""
    from bot.supervisor import run_stack

    click.echo(f"Javi se: REST channel on http://localhost:{port}/webhooks/rest/webhook")
    sys.exit(run_stack(port, actions_port))


@main.group()
def telegram() -> None:
    """The Telegram bot."""


@telegram.command("set-webhook")
def telegram_set_webhook() -> None:
    """Register PUBLIC_BASE_URL/webhooks/telegram/webhook with its secret token."""
    import asyncio

    from telegram import Bot

    token, secret = settings.env("TELEGRAM_BOT_TOKEN"), settings.env("TELEGRAM_WEBHOOK_SECRET")
    if not token or not secret:
        raise click.ClickException("set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first")
    url = f"{settings.public_base_url()}/webhooks/telegram/webhook"

    async def register() -> None:
        async with Bot(token, base_url=f"{settings.telegram_api_base_url()}/bot") as bot:
            await bot.set_webhook(url, secret_token=secret,
                                  allowed_updates=["message", "edited_message", "callback_query"])

    asyncio.run(register())
    click.echo(f"webhook set to {url}")


@main.command()
@click.option("--telegram-port", default=8081, show_default=True)
@click.option("--twilio-port", default=8082, show_default=True)
def fakes(telegram_port: int, twilio_port: int) -> None:
    """Run the fake Telegram Bot API and Twilio REST API servers (local demo, tests)."""
    from bot.devtools.serve import run_fakes

    run_fakes(telegram_port, twilio_port)


@main.command()
@click.argument("channel", type=click.Choice(["sms", "telegram"]))
def simulate(channel: str) -> None:
    """Chat in the terminal "as SMS" or "as Telegram" with the running local hotline."""
    from bot.devtools.simulate import simulate as run_simulation

    run_simulation(channel, read=lambda: input("> "))


@main.command()
def shell() -> None:
    """Chat in the terminal (rasa shell), with the action server running beside it."""
    from bot.supervisor import run_shell

    sys.exit(run_shell())


if __name__ == "__main__":
    main()
