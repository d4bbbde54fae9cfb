"""`hotline`: the operational commands (database, directory, staff, cases, retention, running
the stack and the worker)."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import settings
from bot.cases.vocabulary import OUTCOMES, Outcome
from bot.paths import DATA_DIR

if TYPE_CHECKING:  # the database layer is imported by the commands that use it
    from sqlalchemy.orm import Session

    from bot.storage.models import Case, Responder

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
    from bot.directory.import_export import DirectoryError, load_directory
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
    from bot.directory.csv_format import dump_csv
    from bot.directory.store import read_directory
    from bot.directory.yaml_format import dump_yaml
    from bot.storage.db import session_scope

    file_format = file_format or ("csv" if path and path.suffix.lower() == ".csv" else "yaml")
    from bot.privacy.sealing import VaultError

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

    from bot.directory.duty_hours import LOCAL_ZONE
    from bot.alerts.staff_enrolment import EnrolmentError, issue
    from bot.storage.db import session_scope

    try:
        with session_scope() as session:
            issued = issue(session, responder_code, validity=timedelta(hours=hours))
    except EnrolmentError as error:
        raise click.ClickException(str(error)) from error
    until = issued.expires_at.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
    click.echo(f"Enrolment code for {issued.responder_code} ({issued.responder_name}): {issued.code}\n"
               f"They send it to the hotline's staff bot on Telegram: /enrol {issued.code}\n"
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


@main.group()
def case() -> None:
    """Cases: list, show, acknowledge, write to the reporter, change status, close.
    Nothing here shows a reporter's address or contact details."""


def _local_time(moment: datetime | None) -> str:
    from bot.directory.duty_hours import LOCAL_ZONE

    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _deadline(case_row: Case) -> str:
    from bot.routing.deadlines import format_local

    return format_local(case_row.ack_deadline_at, "en") if case_row.ack_deadline_at else "-"


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...] | None = None, indent: str = "") -> None:
    rows = [header, *rows] if header else rows
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def _find_case(session: Session, typed_code: str) -> Case:
    from bot.followup.thread import case_by_code

    found = case_by_code(session, typed_code)
    if found is None:
        raise click.ClickException(f"no case with code '{typed_code}'")
    return found


def _find_responder(session: Session, code: str) -> Responder:
    from sqlalchemy import select

    from bot.storage.models import Responder

    responder = session.scalars(select(Responder).where(
        Responder.code == code, Responder.active.is_(True))).one_or_none()
    if responder is None:
        raise click.ClickException(f"no active responder with code '{code}' (see `hotline staff list`)")
    return responder


def _case_for_staff(session: Session, typed_code: str, responder_code: str,
                    open_only: bool = True) -> tuple[Case, Responder]:
    """The case and the responder acting on it, or a clear error: unknown case or
    responder, no referral for this case, or (with `open_only`) a closed case."""
    from bot.followup.thread import may_act_on

    case_row = _find_case(session, typed_code)
    responder = _find_responder(session, responder_code)
    if not may_act_on(session, case_row, responder):
        raise click.ClickException(
            f"{responder.code} has no referral for case {case_row.code}; only the responders it"
            f" was referred to, and the cantonal coordinator, may act on it")
    if open_only and case_row.closed_at is not None:
        raise click.ClickException(f"case {case_row.code} is closed ({case_row.outcome or '-'})")
    return case_row, responder


def _event_body(kind: str, body: str | None) -> str:
    """An event's body on one line. A failed send's error text may quote the address it
    was sent to (Twilio: "The 'To' number +387... is not a valid phone number"): of those,
    only the message kind, channel and error type are shown."""
    if kind == "send_failed" and body:
        body = ": ".join(body.split(": ")[:2])
    return " ".join((body or "").split())


option_as = click.option("--as", "responder_code", required=True, metavar="RESPONDER_CODE",
                         help="Who acts (a responder code, see `hotline staff list`).")


@case.command("list")
@click.option("--open", "only_open", is_flag=True, help="Only cases that are not closed.")
@click.option("--school", "school_code", metavar="CODE", help="Only cases of this school.")
def case_list(only_open: bool, school_code: str | None) -> None:
    """Cases, newest first: code, status, severity, school, deadline, owner, escalation step."""
    from sqlalchemy import select

    from bot.storage.db import session_scope
    from bot.storage.models import Case, School

    with session_scope() as session:
        query = select(Case).order_by(Case.created_at.desc(), Case.id.desc())
        if only_open:
            query = query.where(Case.closed_at.is_(None))
        if school_code:
            school = session.scalars(select(School).where(School.code == school_code)).one_or_none()
            if school is None:
                raise click.ClickException(f"no school with code '{school_code}'")
            query = query.where(Case.school_id == school.id)
        rows = [(c.code, c.status or "new", c.severity or "-", c.school.code if c.school else "-",
                 _deadline(c), c.owner.code if c.owner else "-", str(c.escalation_step or 0))
                for c in session.scalars(query)]
    if not rows:
        click.echo("no cases")
        return
    _table(rows, ("code", "status", "severity", "school", "deadline", "owner", "step"))


@case.command("show")
@click.argument("code")
def case_show(code: str) -> None:
    """A case for staff: triage, referrals, the event trail, the thread with the reporter and
    its outbox. Never the reporter's address or contact details."""
    from sqlalchemy import select

    from bot.outbox import store as outbox
    from bot.storage.db import session_scope
    from bot.storage.models import CaseMessage, Responder

    with session_scope() as session:
        c = _find_case(session, code)
        status = c.status or "new"
        if c.outcome:
            status += f" (outcome: {c.outcome}, closed {_local_time(c.closed_at)})"
        incident = c.incident_type or "-"
        if c.discrimination_ground:
            incident += f" (ground: {c.discrimination_ground})"
        if c.crisis_kind:
            incident += f"; crisis: {c.crisis_kind}"
        fields = [
            ("case", c.code),
            ("severity", f"{c.severity or '-'}: {c.severity_reason or '-'}"),
            ("status", status),
            ("school", f"{c.school.name} ({c.school.code})" if c.school else "-"),
            ("municipality", c.municipality.name if c.municipality else "-"),
            ("incident", incident),
            ("affected", c.affected or "-"),
            ("when", c.incident_time or "-"),
            ("danger now", c.danger_now or "-"),
            ("language", f"{c.language or 'bcs'}, {c.script or 'latin'}"),
            ("reported", _local_time(c.created_at)),
            ("deadline", _deadline(c)),
            ("acknowledged", _local_time(c.acknowledged_at)),
            ("owner", f"{c.owner.code} ({c.owner.name})" if c.owner else "-"),
            ("escalation step", str(c.escalation_step or 0)),
        ]
        _table([(f"{name}:", value) for name, value in fields])
        click.echo("description:")
        for line in (c.description or "-").splitlines() or ["-"]:
            click.echo(f"  {line}")

        click.echo("\nreferrals:")
        referrals = [(r.responder.code, r.responder.role or "-", r.reason or "-", r.status or "-",
                      str(r.step or 0), "" if r.in_chain else "informed")
                     for r in c.referrals]
        if referrals:
            _table(referrals, ("responder", "role", "reason", "status", "step", ""), indent="  ")
        else:
            click.echo("  none")

        click.echo("\nevents:")
        _table([(_local_time(e.created_at), e.kind, e.actor or "system", _event_body(e.kind, e.body))
                for e in c.events] or [("none",)], indent="  ")

        click.echo("\nthread:")
        messages = session.execute(
            select(CaseMessage, Responder.code).outerjoin(Responder, CaseMessage.responder_id == Responder.id)
            .where(CaseMessage.case_id == c.id).order_by(CaseMessage.id)).all()
        if not messages:
            click.echo("  no messages")
        for message, author in messages:
            if message.direction == "to_reporter":
                arrow, who = "to reporter", author or "staff"
                state = "read" if message.read_at else "not yet read"
            else:
                arrow, who, state = "from reporter", "reporter", ""
            click.echo(f"  {_local_time(message.created_at)}  {arrow}  {who}"
                       + (f"  ({state})" if state else ""))
            for line in (message.body or "").splitlines():
                click.echo(f"      {line}")

        tally = outbox.counts(session, c.id)
        summary = ", ".join(f"{status} {count}" for status, count in sorted(tally.items())) or "nothing queued"
        click.echo(f"\noutbox: {summary}")


@case.command("ack")
@click.argument("code")
@option_as
def case_ack(code: str, responder_code: str) -> None:
    """Acknowledge a case: the first in its chain to do so owns it, and escalation stops."""
    from bot.alerts.acknowledgement import acknowledge
    from bot.storage.db import session_scope
    from bot.storage.models import utcnow

    with session_scope() as session:
        c, responder = _case_for_staff(session, code, responder_code)
        result = acknowledge(session, c.code, responder, via="cli", now=utcnow())
    if result.outcome == "unknown_case":  # not expected after the checks above
        raise click.ClickException(f"{responder_code} cannot acknowledge case {code}")
    owner = result.owner_name or "none yet"
    if result.outcome == "already":
        click.echo(f"{result.code} was already acknowledged; owner: {owner}")
    else:
        click.echo(f"{result.code} acknowledged by {responder_code}; owner: {owner}")


@case.command("reply")
@click.argument("code")
@option_as
@click.argument("text", nargs=-1, required=True)
def case_reply(code: str, responder_code: str, text: tuple[str, ...]) -> None:
    """Write to the case's reporter (anonymously: staff never see their address)."""
    from bot.followup.thread import staff_reply
    from bot.storage.db import session_scope

    message = " ".join(text).strip()
    if not message:
        raise click.ClickException("the message is empty")
    with session_scope() as session:
        c, responder = _case_for_staff(session, code, responder_code, open_only=False)
        outcome, _case = staff_reply(session, c.code, responder, message)
        case_code = c.code
    if outcome == "sent":
        click.echo(f"sent: queued to the reporter of {case_code} on their channel")
    elif outcome == "waiting":
        click.echo(f"waiting: the reporter of {case_code} sees it when they check in with code and PIN")
    else:  # not expected after the checks above
        raise click.ClickException(f"{responder_code} cannot write to the reporter of {code}")


@case.command("status")
@click.argument("code")
@click.argument("status", type=click.Choice(["in_progress"]))
@option_as
def case_status(code: str, status: str, responder_code: str) -> None:
    """Mark an acknowledged case in progress (the reporter is told)."""
    from bot.followup.thread import set_in_progress
    from bot.storage.db import session_scope

    with session_scope() as session:
        c, responder = _case_for_staff(session, code, responder_code)
        if c.acknowledged_at is None:
            raise click.ClickException(
                f"case {c.code} is not acknowledged yet: `hotline case ack {c.code} --as"
                f" {responder.code}` first (that stops its escalation)")
        set_in_progress(session, c, actor=responder.code)
        case_code = c.code
    click.echo(f"{case_code} is {status}; the reporter is told")


@case.command("close")
@click.argument("code")
@click.option("--outcome", required=True, type=click.Choice(OUTCOMES),
              help="What came of the case; the reporter is told in one sentence.")
@option_as
def case_close(code: str, outcome: Outcome, responder_code: str) -> None:
    """Close a case with its outcome (the reporter is told; escalation stops)."""
    from bot.followup.thread import close_case
    from bot.storage.db import session_scope
    from bot.storage.models import utcnow

    with session_scope() as session:
        c, responder = _case_for_staff(session, code, responder_code)
        close_case(session, c, outcome, actor=responder.code, now=utcnow())
        case_code = c.code
    click.echo(f"{case_code} closed: {outcome}; the reporter is told")


@main.command()
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
        click.echo("database  " + ("reachable" if facts.database_error is None
                                   else f"UNREACHABLE: {facts.database_error}"))
        waiting = (f"{facts.journal_depth} message(s) waiting, the oldest from {_local_time(facts.journal_oldest)}"
                   if facts.journal_depth else "empty")
        click.echo(f"journal   {waiting} ({journal.journal_dir()})")
        click.echo("outbox    " + ("unknown" if facts.outbox_pending is None
                                   else f"{facts.outbox_pending} message(s) not yet sent"))
        click.echo("inbox     " + ("unknown" if facts.dead_letters is None
                                   else f"{facts.dead_letters} dead letter(s): turns that failed every attempt"))
        if facts.limited is not None:
            click.echo(f"limits    last 24 h: {facts.limited} message(s) held by the flood limit, "
                       f"{facts.sms_held} SMS reply(ies) held by the daily caps, "
                       f"{facts.sms_crisis_past_cap} crisis SMS sent past a cap")
    if facts.database_error is not None or facts.journal_depth:
        sys.exit(1)


@main.command()
def worker() -> None:
    """Send the outbox (staff alerts, messages to reporters) and escalate overdue cases,
    until Ctrl-C or SIGTERM. `hotline run` starts one; run one per database."""
    from bot.outbox.worker import run_worker

    run_worker()


@main.command()
@click.option("--days", type=int, default=None, help="Retention in days (default HOTLINE_RETENTION_DAYS or 30).")
def purge(days: int | None) -> None:
    """Delete conversation history older than the retention period."""
    from bot.privacy.retention import purge_conversations
    from bot.storage.db import default_engine

    from bot.channels.sms_budget import forget_old_spending
    from bot.privacy.reporter_addresses import purge_expired
    from bot.storage.db import session_scope

    days = days if days is not None else settings.retention_days()
    removed = purge_conversations(default_engine(), days)
    with session_scope() as session:
        expired = purge_expired(session)
        forget_old_spending(session)
    click.echo(f"deleted {removed} conversations idle for more than {days} days"
               f" and {expired} expired contact details")


@main.command()
@click.option("--port", default=5005, show_default=True)
@click.option("--actions-port", default=5055, show_default=True)
def run(port: int, actions_port: int) -> None:
    """Run the Rasa server, the action server and the worker together (Ctrl-C stops all)."""
    from bot.ops.supervisor import run_stack

    click.echo(f"Javi se: REST channel on http://localhost:{port}/webhooks/rest/webhook")
    sys.exit(run_stack(port, actions_port))


@main.group()
def telegram() -> None:
    """The Telegram bot."""


@telegram.command("set-webhook")
@click.option("--staff", is_flag=True,
              help="The staff bot instead: TELEGRAM_STAFF_BOT_TOKEN at"
                   " /webhooks/staff_telegram/webhook with TELEGRAM_STAFF_WEBHOOK_SECRET.")
def telegram_set_webhook(staff: bool) -> None:
    """Register PUBLIC_BASE_URL/webhooks/telegram/webhook with its secret token
    (with --staff: the staff bot's webhook, with its own token and secret)."""
    import asyncio

    from telegram import Bot

    bot_settings = settings.STAFF_BOT if staff else settings.HOTLINE_BOT
    token, secret = bot_settings.token, bot_settings.secret
    if not token or not secret:
        raise click.ClickException(
            f"set {bot_settings.token_variable} and {bot_settings.secret_variable} first")
    url = f"{settings.public_base_url()}/webhooks/{bot_settings.channel}/webhook"

    async def register() -> None:
        async with Bot(token, base_url=f"{settings.telegram_api_base_url()}/bot") as bot:
            await bot.set_webhook(url, secret_token=secret,
                                  allowed_updates=["message", "edited_message", "callback_query"])

    asyncio.run(register())
    click.echo(f"{'staff bot ' if staff else ''}webhook set to {url}")


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
    from bot.ops.supervisor import run_shell

    sys.exit(run_shell())


if __name__ == "__main__":
    main()
