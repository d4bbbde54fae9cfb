"""The inbox: every channel message is stored before the webhook answers, once per
delivery id, and marked done after its turn. Pending rows are replayed after a restart."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import vault
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


def record(session: Session, delivery: Delivery) -> int | None:
    """Store a delivery; None when this delivery id was stored before (a retry)."""
    row = InboxMessage(
        channel=delivery.channel,
        delivery_id=delivery.delivery_id,
        conversation_id=delivery.conversation_id,
        sealed_address=vault.seal(delivery.address),
        text=delivery.text,
        metadata_json=json.dumps(delivery.metadata),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row.id


def load(session: Session, inbox_id: int) -> PendingTurn | None:
    row = session.get(InboxMessage, inbox_id)
    if row is None or row.status != "pending" or not row.sealed_address:
        return None
    row.attempts += 1
    return PendingTurn(row.id, row.conversation_id, vault.unseal(row.sealed_address),
                       row.text or "", json.loads(row.metadata_json or "{}"))


def finish(session: Session, inbox_id: int, status: str = "done") -> None:
    """Close a turn and forget its address."""
    row = session.get(InboxMessage, inbox_id)
    if row is not None:
        row.status, row.processed_at, row.sealed_address = status, utcnow(), None


def pending(session: Session, channel: str) -> list[tuple[int, str]]:
    """(inbox id, conversation id) of unfinished turns, oldest first."""
    rows = session.execute(
        select(InboxMessage.id, InboxMessage.conversation_id)
        .where(InboxMessage.channel == channel, InboxMessage.status == "pending")
        .order_by(InboxMessage.id)
    )
    return [(row[0], row[1]) for row in rows]
