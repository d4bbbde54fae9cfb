"""The inbox: every channel message is stored before the webhook answers, once per
delivery id, and marked done after its turn. Pending rows are replayed after a restart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.privacy import sealing
from bot.storage.models import InboxMessage, utcnow


@dataclass(frozen=True)
class Delivery:
    """One incoming message as a channel parsed it (address still in clear, in memory)."""

    channel: str
    delivery_id: str
    conversation_id: str
    address: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class PendingTurn:
    inbox_id: int
    conversation_id: str
    address: str
    text: str
    metadata: dict[str, Any]
    attempts: int = 0  # earlier runs of this turn (a replay after a restart counts one)


DEAD_LETTER = "dead_letter"  # a turn that failed every attempt: kept, never replayed


_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def record(session: Session, delivery: Delivery) -> int | None:
    """Store a delivery; None when this delivery id was stored before (a retry).

    One INSERT ... ON CONFLICT DO NOTHING: every message of every conversation comes
    through here, so it avoids the ORM and a savepoint."""
    insert = (
        _INSERT[session.get_bind().dialect.name](InboxMessage)
        .values(
            channel=delivery.channel,
            delivery_id=delivery.delivery_id,
            conversation_id=delivery.conversation_id,
            sealed_address=sealing.seal(delivery.address),
            text=delivery.text,
            metadata_json=json.dumps(delivery.metadata),
            status="pending",
            attempts=0,
            received_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    result = session.execute(insert)
    if result.rowcount != 1:
        return None
    return result.inserted_primary_key[0]


def load(session: Session, inbox_id: int) -> PendingTurn | None:
    row = session.get(InboxMessage, inbox_id)
    if row is None or row.status != "pending" or not row.sealed_address:
        return None
    row.attempts += 1
    return PendingTurn(
        row.id,
        row.conversation_id,
        sealing.unseal(row.sealed_address),
        row.text or "",
        json.loads(row.metadata_json or "{}"),
        row.attempts,
    )


def finish(session: Session, inbox_id: int, status: str = "done") -> None:
    """Close a turn and forget its address."""
    session.execute(
        update(InboxMessage)
        .where(InboxMessage.id == inbox_id)
        .values(status=status, processed_at=utcnow(), sealed_address=None)
        .execution_options(synchronize_session=False)
    )


def dead_letters(session: Session) -> int:
    return session.scalar(select(func.count(InboxMessage.id)).where(InboxMessage.status == DEAD_LETTER)) or 0


def pending(session: Session, channel: str) -> list[tuple[int, str]]:
    """(inbox id, conversation id) of unfinished turns, oldest first."""
    rows = session.execute(
        select(InboxMessage.id, InboxMessage.conversation_id)
        .where(InboxMessage.channel == channel, InboxMessage.status == "pending")
        .order_by(InboxMessage.id)
    )
    return [(row[0], row[1]) for row in rows]
