"""`hotline staff`: the responders who receive alerts, and their Telegram enrolment."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from bot.cli.output import table

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

T = TypeVar("T")


def _in_transaction(work: Callable[[Session], T], *refusals: type[Exception]) -> T:
    """`work(session)` in one transaction; a refusal becomes the command's error message."""
    from bot.storage.db import session_scope

    try:
        with session_scope() as session:
            return work(session)
    except refusals as error:
        raise click.ClickException(str(error)) from error


def _local(moment: datetime) -> str:
    from bot.directory.duty_hours import LOCAL_ZONE

    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


@click.group()
def staff() -> None:
    """Staff and services who receive alerts (responders)."""


@staff.command("enrol")
@click.argument("responder_code")
@click.option(
    "--hours", type=click.IntRange(1, 24 * 14), default=72, show_default=True, help="How long the code works."
)
def staff_enrol(responder_code: str, hours: int) -> None:
    """Issue a one-time code that links RESPONDER_CODE to their Telegram chat."""
    from datetime import timedelta

    from bot.alerts.staff_enrolment import EnrolmentError, issue

    issued = _in_transaction(lambda s: issue(s, responder_code, validity=timedelta(hours=hours)), EnrolmentError)
    until = _local(issued.expires_at)
    click.echo(
        f"Enrolment code for {issued.responder_code} ({issued.responder_name}): {issued.code}\n"
        f"They send it to the hotline's staff bot on Telegram: /enrol {issued.code}\n"
        f"It works once, until {until} (Europe/Sarajevo), and is not shown again;"
        f" a new code replaces it."
    )


@staff.command("list")
def staff_list() -> None:
    """Responders: code, role, school or area, channels, Telegram enrolment. No phones."""
    from sqlalchemy import select

    from bot.storage.db import session_scope
    from bot.storage.models import Responder

    with session_scope() as session:
        responders = session.scalars(select(Responder).order_by(Responder.kind.desc(), Responder.code)).all()
        rows = [
            (
                r.code,
                r.role,
                r.school.code if r.school else (r.municipality.code if r.municipality else "canton"),
                (r.channels or "").replace(",", " "),
                "yes" if r.telegram_chat_id else "no",
                "" if r.active else "inactive",
            )
            for r in responders
        ]
    table(rows, ("code", "role", "school/area", "channels", "enrolled", ""))


@staff.command("invite")
@click.argument("responder_code")
def staff_invite(responder_code: str) -> None:
    """A one-time link (valid 72 hours) for RESPONDER_CODE to set a console password and
    enrol two-factor. Any password and second factor they had stop working."""
    from bot.console.accounts import AccountError, invite
    from bot.storage.models import utcnow

    invitation = _in_transaction(lambda s: invite(s, responder_code, utcnow()), AccountError)
    until = _local(invitation.expires_at)
    click.echo(
        f"Console invitation for {invitation.responder_code} ({invitation.responder_name}):\n"
        f"{invitation.link}\n"
        f"Give it to them in person or by a channel only they read. It works once, until {until}"
        f" (Europe/Sarajevo), and is not shown again."
    )


@staff.command("reset")
@click.argument("responder_code")
def staff_reset(responder_code: str) -> None:
    """Revoke RESPONDER_CODE's console password and two-factor (and any open invitation)."""
    from bot.console.accounts import AccountError, reset

    _in_transaction(lambda s: reset(s, responder_code), AccountError)
    click.echo(f"{responder_code}: console password and two-factor revoked; `hotline staff invite` issues a new link")
