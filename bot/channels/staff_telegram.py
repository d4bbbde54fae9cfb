"""The staff bot at /webhooks/staff_telegram/webhook: school staff and services enrol with
a one-time code (`/enrol CODE`), acknowledge alerts with the alert's button, and write to
reporters (`/reply CODE text`, or a reply to an alert). It has its own token
(TELEGRAM_STAFF_BOT_TOKEN) and webhook secret (TELEGRAM_STAFF_WEBHOOK_SECRET), and shares
the hotline's Telegram machinery: secret check, parsing, once-per-update inbox, turn queues."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session
from telegram import Update
from telegram.error import TelegramError

from bot import settings
from bot.alerts import staff_commands
from bot.alerts.staff_enrolment import redeem
from bot.channels.base import Reply
from bot.channels.inbox import Delivery, PendingTurn
from bot.channels.telegram import TelegramInput
from bot.followup.texts import staff_text
from bot.routing.responders import by_telegram_chat
from bot.storage.db import on_loop as in_db

logger = logging.getLogger(__name__)

ENROL_COMMANDS = ("/enrol", "/enroll", "/start")


def _answer(session: Session, chat_id: str, text: str, replied_to: str | None) -> str:
    words = text.split()
    command = words[0].split("@")[0].lower() if words and words[0].startswith("/") else ""
    if command in ENROL_COMMANDS and len(words) > 1:
        responder = redeem(session, " ".join(words[1:]), chat_id)
        if responder is None:
            return staff_text("not_enrolled", "bcs")
        return staff_text("enrolled", responder.language, name=responder.name)
    responder = by_telegram_chat(session, chat_id)
    if responder is None:
        return staff_text("not_enrolled", "bcs")
    return staff_commands.handle(session, responder, text, "telegram", replied_to)


class StaffTelegramInput(TelegramInput):
    bot_settings = settings.STAFF_BOT

    def _delivery(self, update: Update) -> Delivery | None:
        delivery = super()._delivery(update)
        replied = update.message.reply_to_message if update.message else None
        if delivery is not None and replied is not None and replied.text:
            delivery.metadata["replied_to"] = replied.text
        return delivery

    async def before_turn(self, turn: PendingTurn) -> list[Reply] | None:
        if "callback_query_id" in turn.metadata:
            try:
                await (await self.bot()).answer_callback_query(turn.metadata["callback_query_id"])
            except TelegramError as error:
                logger.warning("could not answer a callback query: %s", error)
        answer = await in_db(_answer, turn.address, turn.text, turn.metadata.get("replied_to"))
        return [{"text": answer}]  # staff messages never become conversation turns
