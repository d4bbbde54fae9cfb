"""`hotline case`: list, show, acknowledge, write to the reporter, change status, close.
Every action goes through the same functions as the staff bot and the SMS commands."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from bot.cases.vocabulary import OUTCOMES, Outcome
from bot.cli.output import local_time, table

if TYPE_CHECKING:  # the database layer is imported by the commands that use it
    from sqlalchemy.orm import Session

    from bot.cases.view import CaseView
    from bot.storage.models import Case, Responder


@click.group()
def case() -> None:
    """Cases: list, show, acknowledge, write to the reporter, change status, close.
    Nothing here shows a reporter's address or contact details."""


def _find_case(session: Session, typed_code: str) -> Case:
    from bot.followup.thread import case_by_code

    found = case_by_code(session, typed_code)
    if found is None:
        raise click.ClickException(f"no case with code '{typed_code}'")
    return found


def _find_responder(session: Session, code: str) -> Responder:
    from sqlalchemy import select

    from bot.storage.models import Responder

    responder = session.scalars(
        select(Responder).where(Responder.code == code, Responder.active.is_(True))
    ).one_or_none()
    if responder is None:
        raise click.ClickException(f"no active responder with code '{code}' (see `hotline staff list`)")
    return responder


def _case_for_staff(
    session: Session, typed_code: str, responder_code: str, open_only: bool = True
) -> tuple[Case, Responder]:
    """The case and the responder acting on it, or a clear error: unknown case or
    responder, no referral for this case, or (with `open_only`) a closed case."""
    from bot.followup.thread import may_act_on

    case_row = _find_case(session, typed_code)
    responder = _find_responder(session, responder_code)
    if not may_act_on(session, case_row, responder):
        raise click.ClickException(
            f"{responder.code} has no referral for case {case_row.code}; only the responders it"
            f" was referred to, and the cantonal coordinator, may act on it"
        )
    if open_only and case_row.closed_at is not None:
        raise click.ClickException(f"case {case_row.code} is closed ({case_row.outcome or '-'})")
    return case_row, responder


option_as = click.option(
    "--as",
    "responder_code",
    required=True,
    metavar="RESPONDER_CODE",
    help="Who acts (a responder code, see `hotline staff list`).",
)


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
        rows = [
            (
                c.code,
                c.status or "new",
                c.severity or "-",
                c.school.code if c.school else "-",
                deadline(c.ack_deadline_at),
                c.owner.code if c.owner else "-",
                str(c.escalation_step or 0),
            )
            for c in session.scalars(query)
        ]
    if not rows:
        click.echo("no cases")
        return
    table(rows, ("code", "status", "severity", "school", "deadline", "owner", "step"))


@case.command("show")
@click.argument("code")
def case_show(code: str) -> None:
    """A case for staff: triage, referrals, the event trail, the thread with the reporter and
    its outbox. Never the reporter's address or contact details."""
    from bot.cases.view import case_view
    from bot.storage.db import session_scope

    with session_scope() as session:
        view = case_view(session, _find_case(session, code))
    print_case(view)


def deadline(moment: datetime | None) -> str:
    from bot.routing.deadlines import format_local

    return format_local(moment, "en") if moment else "-"


def print_case(view: CaseView) -> None:
    status = view.status
    if view.outcome:
        status += f" (outcome: {view.outcome}, closed {local_time(view.closed_at)})"
    incident = view.incident_type or "-"
    if view.ground:
        incident += f" (ground: {view.ground})"
    if view.crisis_kind:
        incident += f"; crisis: {view.crisis_kind}"
    fields = [
        ("case", view.code),
        ("severity", f"{view.severity}: {view.severity_reason}"),
        ("status", status),
        ("school", view.school or "-"),
        ("municipality", view.municipality or "-"),
        ("incident", incident),
        ("affected", view.affected or "-"),
        ("when", view.incident_time or "-"),
        ("danger now", view.danger_now or "-"),
        ("language", f"{view.language}, {view.script}"),
        ("reported", local_time(view.reported_at)),
        ("deadline", deadline(view.deadline)),
        ("acknowledged", local_time(view.acknowledged_at)),
        ("owner", view.owner or "-"),
        ("escalation step", str(view.escalation_step)),
    ]
    table([(f"{name}:", value) for name, value in fields])
    click.echo("description:")
    for line in (view.description or "-").splitlines() or ["-"]:
        click.echo(f"  {line}")

    click.echo("\nreferrals:")
    if view.referrals:
        table(
            [
                (r.responder_code, r.role, r.reason, r.status, str(r.step), "" if r.in_chain else "informed")
                for r in view.referrals
            ],
            ("responder", "role", "reason", "status", "step", ""),
            indent="  ",
        )
    else:
        click.echo("  none")

    click.echo("\nevents:")
    table([(local_time(e.at), e.kind, e.actor, e.body) for e in view.events] or [("none",)], indent="  ")

    click.echo("\nthread:")
    if not view.thread:
        click.echo("  no messages")
    for message in view.thread:
        arrow = "to reporter" if message.to_reporter else "from reporter"
        state = ("read" if message.read else "not yet read") if message.to_reporter else ""
        click.echo(f"  {local_time(message.at)}  {arrow}  {message.author}" + (f"  ({state})" if state else ""))
        for line in message.body.splitlines():
            click.echo(f"      {line}")

    summary = ", ".join(f"{status} {count}" for status, count in sorted(view.outbox.items())) or "nothing queued"
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
                f" {responder.code}` first (that stops its escalation)"
            )
        set_in_progress(session, c, actor=responder.code)
        case_code = c.code
    click.echo(f"{case_code} is {status}; the reporter is told")


@case.command("close")
@click.argument("code")
@click.option(
    "--outcome",
    required=True,
    type=click.Choice(OUTCOMES),
    help="What came of the case; the reporter is told in one sentence.",
)
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
