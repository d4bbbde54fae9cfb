"""Every channel's last line of defence: a turn that produced no reply (the action server
is down, the model failed, the database is unreachable) still gets an apology with the
emergency numbers, in the writer's language and script."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.storage.availability import is_unavailable
from bot.text import catalogue

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[None]]


def no_reply_text(user_text: str) -> str:
    writer = catalogue.Reader.of_text(user_text)
    # One language (the local one when the message does not tell): the apology is short.
    return catalogue.text("fallback", "no_reply", catalogue.Reader.of(writer.language, writer.script))


async def handle_without_silence(
    on_new_message: Handler, message: UserMessage, collector: CollectingOutputChannel
) -> None:
    """Run a turn; if it fails or says nothing, send the apology instead of silence."""
    try:
        await on_new_message(message)
    except Exception as error:  # the person still gets an answer; the error goes to the log
        if is_unavailable(error):
            raise  # the channel's outage desk answers and runs the turn again later
        logger.exception("turn failed (conversation %s)", message.sender_id[:8])
    if not collector.messages:
        logger.error("turn produced no reply; sent the apology (conversation %s)", message.sender_id[:8])
        await collector.send_text_message(message.sender_id, no_reply_text(message.text or ""))
