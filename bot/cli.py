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
    """Municipalities, schools, staff and services (YAML or CSV files)."""


@directory.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                default=SAMPLE_DIRECTORY)
def directory_import(path: Path) -> None:
    """Load a directory file, .yml or .csv (default: the sample Canton 10 directory).
    Nothing is written if the file has any error; every error names its line."""
    from bot.directory import DirectoryError, load_directory
    from bot.storage.db import session_scope

    try:
        with session_scope() as session:
            report = load_directory(session, path)
    except DirectoryError as error:
        count = len(error.errors)
        raise click.ClickException(
            f"{count} problem{'s' if count != 1 else ''} in {path.name}, nothing imported:\n"
            + "\n".join(error.errors)) from error
    for warning in report.warnings:
        click.echo(warning, err=True)
    click.echo(f"imported {report.municipalities} municipalities, {report.schools} schools,"
               f" {report.staff} school staff, {_count(report.coordinators, 'coordinator')} and"
               f" {_count(report.services, 'service')} from {path}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@directory.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--format", "file_format", type=click.Choice(["yaml", "csv"]), default=None,
              help="Default: from PATH's extension, else yaml.")
@click.option("--with-phones", is_flag=True,
              help="Include phone numbers in clear (otherwise left out; importing keeps them).")
def directory_export(path: Path | None, file_format: str | None, with_phones: bool) -> None:
    """Write the directory as YAML or CSV (to PATH or standard output)."""
    from bot.directory_csv import dump_csv
    from bot.directory_store import read_directory
    from bot.directory_yaml import dump_yaml
    from bot.storage.db import session_scope

    file_format = file_format or ("csv" if path and path.suffix.lower() == ".csv" else "yaml")
    from bot.vault import VaultError

    try:
        with session_scope() as session:
            entries = read_directory(session, with_phones=with_phones)
    except VaultError as error:
        raise click.ClickException("stored phones cannot be opened with this CONTACT_VAULT_KEY"
                                   " (or HOTLINE_SECRET_KEY)") from error
    text = dump_csv(entries) if file_format == "csv" else dump_yaml(entries)
    if path:
        path.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.group()
def staff() -> None:
    """Staff and services who receive alerts (responders)."""


@staff.command("enrol")
@click.argument("responder_code")
@click.option("--hours", type=click.IntRange(1, 24 * 14), default=72, show_default=True,
              help="How long the code works.")
def staff_enrol(responder_code: str, hours: int) -> None:
    """Issue a one-time code that links RESPONDER_CODE to their Telegram chat."""
    from datetime import timedelta

    from bot.duty_hours import LOCAL_ZONE
    from bot.staff_enrolment import EnrolmentError, issue
    from bot.storage.db import session_scope

    try:
        with session_scope() as session:
            issued = issue(session, responder_code, validity=timedelta(hours=hours))
    except EnrolmentError as error:
        raise click.ClickException(str(error)) from error
    until = issued.expires_at.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
    click.echo(f"Enrolment code for {issued.responder_code} ({issued.responder_name}): {issued.code}\n"
               f"They send it to the hotline's Telegram bot: /enrol {issued.code}\n"
               f"It works once, until {until} (Europe/Sarajevo), and is not shown again;"
               f" a new code replaces it.")


@staff.command("list")
def staff_list() -> None:
    """Responders: code, role, school or area, channels, Telegram enrolment. No phones."""
    from sqlalchemy import select

    from bot.storage.db import session_scope
    from bot.storage.models import Responder

    with session_scope() as session:
        responders = session.scalars(select(Responder).order_by(Responder.kind.desc(), Responder.code)).all()
        rows = [(r.code, r.role, r.school.code if r.school else
                 (r.municipality.code if r.municipality else "canton"),
                 (r.channels or "").replace(",", " "), "yes" if r.telegram_chat_id else "no",
                 "" if r.active else "inactive") for r in responders]
    header = ("code", "role", "school/area", "channels", "enrolled", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


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
