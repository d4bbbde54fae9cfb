"""The outbox: every alert and follow-up message is written in the same transaction as
what caused it (a case, an escalation, a staff reply) and sent later by the worker.

A crash can therefore never lose one: a row stays `pending` until a send succeeded, and
`dedupe_key` makes it at most one per recipient and alert. Addresses are not stored here:
the worker reads a staff member's from the directory and a reporter's from the contact
vault when it claims the row, and holds them only in memory."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bot.privacy import reporter_addresses
from bot.privacy.sealing import VaultError
from bot.routing import responders
from bot.storage.db import plain_rows
from bot.storage.models import OutboxMessage, Responder, utcnow

MAX_ATTEMPTS = 12
FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 300.0
# A row `sending` for this long lost its worker's result (the database was away when the
# send ended): it is sent again, as after a restart. Far longer than any send takes.
STALE_SENDING = timedelta(minutes=10)

# Outbox channels: how the worker reaches the recipient.
STAFF_TELEGRAM, SMS, REPORTER = "staff_telegram", "sms", "reporter"


# Claimed first: a critical case's alerts (and the child's "an adult has seen it") never
# wait behind other messages.
URGENT, NORMAL = 0, 1


def enqueue(
    session: Session,
    *,
    dedupe_key: str,
    kind: str,
    channel: str,
    body: str,
    case_id: int | None = None,
    responder_id: int | None = None,
    referral_id: int | None = None,
    buttons: list[dict[str, str]] | None = None,
    priority: int = NORMAL,
) -> OutboxMessage | None:
    """Queue a message; None when one with this key was queued before."""
    if session.scalars(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)).first():
        return None
    row = OutboxMessage(
        dedupe_key=dedupe_key,
        kind=kind,
        channel=channel,
        body=body,
        case_id=case_id,
        responder_id=responder_id,
        referral_id=referral_id,
        buttons_json=json.dumps(buttons) if buttons else None,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
        priority=priority,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Claimed:
    """A message the worker is sending now, with its address (in memory only). One
    message may carry several rows (`ids`): alerts grouped in a storm."""

    ids: tuple[int, ...]
    kind: str
    channel: str  # staff_telegram | sms | telegram (a reporter's Telegram chat)
    address: str
    body: str
    buttons: list[dict[str, str]]
    attempts: int

    @property
    def id(self) -> int:
        return self.ids[0]


@dataclass(frozen=True)
class Batch:
    """Rows for one recipient sent as one message, with the body that replaces theirs."""

    rows: list[OutboxMessage]
    body: str
    buttons: list[dict[str, str]]


# Decides which due rows go out together and which wait a moment (bot.alerts.storm).
Batcher = Callable[[Session, list[OutboxMessage], datetime], list[Batch]]


def single(row: OutboxMessage) -> Batch:
    """A row sent as its own message."""
    return Batch([row], row.body, json.loads(row.buttons_json or "[]"))


def one_each(session: Session, rows: list[OutboxMessage], now: datetime) -> list[Batch]:
    return [single(row) for row in rows]


def _staff_address(session: Session, row: OutboxMessage) -> tuple[str, str] | None:
    responder = session.get(Responder, row.responder_id) if row.responder_id else None
    if responder is None:
        return None
    if row.channel == STAFF_TELEGRAM and responder.telegram_chat_id:
        return STAFF_TELEGRAM, responder.telegram_chat_id
    if row.channel == SMS:
        phone = responders.phone_of(responder)
        return (SMS, phone) if phone else None
    return None


def _address(session: Session, row: OutboxMessage) -> tuple[str, str] | None:
    if row.channel == REPORTER:
        # Only the "an adult has seen it" message may use a crisis conversation's address.
        purpose: reporter_addresses.Purpose = reporter_addresses.FOLLOWUP
        if row.kind == reporter_addresses.CRISIS_SEEN:
            purpose = reporter_addresses.CRISIS_SEEN
        return reporter_addresses.address_for_case(session, row.case_id, purpose) if row.case_id else None
    return _staff_address(session, row)


def due(now: datetime) -> ColumnElement:
    """The condition of a row that is due: pending and its time has come, or left
    `sending` for STALE_SENDING."""
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at <= now - STALE_SENDING),
    )


def lock_rows(session: Session, query: Select) -> Select:
    """On PostgreSQL, rows another worker holds are skipped, not waited for."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def claim_due(
    session: Session,
    now: datetime,
    limit: int = 20,
    on_unreachable: Callable[[Session, OutboxMessage, str], None] | None = None,
    batcher: Batcher = one_each,
) -> list[Claimed]:
    """Mark due rows `sending` and return them with their addresses, the most urgent
    first. A row whose recipient cannot be reached (no address) fails at once and goes
    to `on_unreachable`. `batcher` may send several rows as one message, or hold some."""
    query = select(OutboxMessage).where(due(now)).order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit)
    reachable: list[OutboxMessage] = []
    targets: dict[int, tuple[str, str]] = {}
    for row in session.scalars(lock_rows(session, query)).all():
        try:
            target = _address(session, row)
        except VaultError as error:  # a sealed address from another key: this row only
            target, problem = None, f"address cannot be opened: {error}"
        else:
            problem = "no address for this recipient"
        if target is None:
            row.status, row.last_error = "failed", problem
            if on_unreachable:
                on_unreachable(session, row, row.last_error)
            continue
        reachable.append(row)
        targets[row.id] = target
    claimed = []
    for batch in batcher(session, reachable, now):
        # A storm's batch may also hold due rows beyond this claim; all its rows go to one
        # person on one channel, so the address of any row looked up above serves.
        target = next((targets[r.id] for r in batch.rows if r.id in targets), None)
        if target is None:  # not expected: every batch holds a row of this claim
            continue
        for row in batch.rows:
            row.status, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
        first = batch.rows[0]
        claimed.append(
            Claimed(
                tuple(r.id for r in batch.rows),
                first.kind,
                target[0],
                target[1],
                batch.body,
                batch.buttons,
                first.attempts,
            )
        )
    return claimed


def mark_sent(session: Session, outbox_id: int, now: datetime) -> OutboxMessage:
    row = session.get(OutboxMessage, outbox_id)
    row.status, row.sent_at, row.last_error = "sent", now, None
    return row


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 0.5 s, 1 s, 2 s ... at most 5 minutes."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS))


def mark_failed(session: Session, outbox_id: int, error: str, now: datetime, permanent: bool = False) -> OutboxMessage:
    """Back to `pending` with a later attempt time, or `failed` after MAX_ATTEMPTS or at
    once for an error that no retry can mend (`permanent`: a blocked bot, a wrong number)."""
    row = session.get(OutboxMessage, outbox_id)
    row.last_error = error[:500]
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
    else:
        row.status, row.next_attempt_at = "pending", now + retry_delay(row.attempts)
    return row


def recover_interrupted(session: Session) -> int:
    """Rows a stopped worker left `sending` go back to `pending` (run one worker).

    A send whose outcome was never recorded is sent again: for an alert, a repeat is
    better than a loss."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending")
        .values(status="pending")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def counts(session: Session, case_id: int | None = None) -> dict[str, Any]:
    """Messages by status, of one case or of all."""
    query = select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status)
    if case_id is not None:
        query = query.where(OutboxMessage.case_id == case_id)
    return {status: number for status, number in plain_rows(session, query)}
