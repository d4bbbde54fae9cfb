"""Daily caps on outbound SMS to reporters, so that one sender (or a crowd of them)
cannot spend the deployment's Twilio budget: SMS_DAILY_SEGMENTS_PER_SENDER for one
pseudonym and SMS_DAILY_SEGMENTS_TOTAL for everyone, over the last 24 hours.

A reply that would pass a cap is held back; the first one held in a day is replaced by a
short notice (one segment) that says so and gives the emergency numbers. A reply to a
message that looks like a crisis is always sent, and counted. Staff alerts (the outbox)
are never capped. Concurrent replies may pass a cap by a few segments: the caps guard a
budget, not an exact number. The caps fail open: an answer during a database outage, or
when the database does not answer within a second, is sent uncounted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.settings import FloodLimits
from bot.storage.models import SmsSpend, utcnow

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
Kind = Literal["reply", "crisis", "held", "notice"]
Cap = Literal["sender", "deployment"]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    cap: Cap | None = None  # the cap that stopped it
    notice_due: bool = False  # nothing was held back for this sender in the last day


def _segments_since(session: Session, conversation_id: str | None) -> int:
    query = select(func.coalesce(func.sum(SmsSpend.segments), 0)).where(SmsSpend.sent_at >= utcnow() - DAY)
    if conversation_id is not None:
        query = query.where(SmsSpend.conversation_id == conversation_id)
    return int(session.scalar(query) or 0)


def decide(session: Session, conversation_id: str, segments: int, limits: FloodLimits) -> Decision:
    """Whether a reply of this many segments fits today's caps."""
    caps: tuple[tuple[Cap, int, str | None], ...] = (
        ("sender", limits.sms_segments_per_sender_day, conversation_id),
        ("deployment", limits.sms_segments_per_day, None),
    )
    for cap, limit, owner in caps:
        if limit and _segments_since(session, owner) + segments > limit:
            held_before = session.scalar(
                select(func.count(SmsSpend.id)).where(
                    SmsSpend.conversation_id == conversation_id,
                    SmsSpend.kind == "notice",
                    SmsSpend.sent_at >= utcnow() - DAY,
                )
            )
            return Decision(False, cap, notice_due=not held_before)
    return Decision(True)


def record(session: Session, conversation_id: str, segments: int, kind: Kind) -> None:
    session.add(SmsSpend(conversation_id=conversation_id, segments=segments, kind=kind, sent_at=utcnow()))


def held_today(session: Session) -> dict[str, int]:
    """Counts for operators (`hotline status`): replies held back, and crisis replies sent
    past a cap, in the last 24 hours."""
    rows = session.execute(
        select(SmsSpend.kind, func.count(SmsSpend.id))
        .where(SmsSpend.sent_at >= utcnow() - DAY, SmsSpend.kind.in_(("held", "crisis")))
        .group_by(SmsSpend.kind)
    )
    return {kind: count for kind, count in rows}


def forget_old_spending(session: Session) -> None:
    """The caps look back one day; `hotline purge` drops what is older than two."""
    session.execute(delete(SmsSpend).where(SmsSpend.sent_at < utcnow() - 2 * DAY))
