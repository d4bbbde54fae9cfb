"""The per-sender rate limit: a conversation (keyed by its pseudonym) that writes faster
than FLOOD_MESSAGES_PER_MINUTE, or more than FLOOD_MESSAGES_PER_DAY in 24 hours, gets
one polite answer when it passes the limit and no conversation turns until it slows
down. Its messages are still kept in the inbox (status "limited"). A message that looks
like a crisis is answered as always, whatever the count.

The count comes from the inbox itself, so every process of a deployment sees the same
numbers and nothing new is stored."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import settings
from bot.channels.inbox import PendingTurn
from bot.storage.db import on_loop
from bot.storage.models import InboxMessage, utcnow
from bot.text.catalogue import for_writer

logger = logging.getLogger(__name__)

LIMITED = "limited"  # the inbox status of a message the limit held back
MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)


@dataclass(frozen=True)
class Counts:
    """Where this message stands among the conversation's recent ones (it counts itself)."""

    last_minute: int
    last_day: int


def counts(session: Session, conversation_id: str, inbox_id: int) -> Counts:
    now = utcnow()

    def since(window: timedelta) -> int:
        return (
            session.scalar(
                select(func.count(InboxMessage.id)).where(
                    InboxMessage.conversation_id == conversation_id,
                    InboxMessage.id <= inbox_id,
                    InboxMessage.received_at >= now - window,
                )
            )
            or 0
        )

    return Counts(since(MINUTE), since(DAY))


@dataclass(frozen=True)
class Verdict:
    limited: bool
    notice_due: bool = False  # the first message past a limit gets the polite answer


def judge(found: Counts, limits: settings.FloodLimits) -> Verdict:
    passed = [
        (count, limit)
        for count, limit in ((found.last_minute, limits.messages_per_minute), (found.last_day, limits.messages_per_day))
        if limit and count > limit
    ]
    if not passed:
        return Verdict(False)
    # Only the message that crosses a limit is answered, so a flood gets one answer, not one
    # per message.
    return Verdict(True, notice_due=any(count == limit + 1 for count, limit in passed))


CrisisCheck = Callable[[str], Awaitable[bool]]


class FloodGate:
    def __init__(self, channel_name: str, is_crisis: CrisisCheck) -> None:
        self.channel_name = channel_name
        self.is_crisis = is_crisis

    async def hold(self, turn: PendingTurn) -> list[dict[str, Any]] | None:
        """None when the turn may run; otherwise the replies instead of it (the polite
        answer once, then nothing)."""
        limits = settings.FloodLimits.from_env()
        if not (limits.messages_per_minute or limits.messages_per_day):
            return None
        found = await on_loop(counts, turn.conversation_id, turn.inbox_id)
        verdict = judge(found, limits)
        if not verdict.limited:
            return None
        if await self.is_crisis(turn.text):
            logger.warning(
                "%s flood limit passed for a crisis message (conversation %s): answered as always",
                self.channel_name,
                turn.conversation_id[:8],
            )
            return None
        logger.warning(
            "%s flood limit: conversation %s sent %d messages in a minute, %d in a day (limits %d, %d); held back",
            self.channel_name,
            turn.conversation_id[:8],
            found.last_minute,
            found.last_day,
            limits.messages_per_minute,
            limits.messages_per_day,
        )
        return [{"text": for_writer("channel", "flood_notice", turn.text)}] if verdict.notice_due else []


def limited_today(session: Session) -> int:
    """Messages held back by the limit in the last 24 hours (`hotline status`)."""
    return (
        session.scalar(
            select(func.count(InboxMessage.id)).where(
                InboxMessage.status == LIMITED, InboxMessage.received_at >= utcnow() - DAY
            )
        )
        or 0
    )
