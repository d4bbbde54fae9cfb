"""Sending one outbox message: staff Telegram (the staff bot), a reporter's Telegram (the
hotline bot) or SMS (Twilio, for staff and reporters alike)."""
from __future__ import annotations

import logging
from typing import Optional

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot import settings
from bot.channels.clients import sms_sender, telegram_bot, twilio_client
from bot.channels.sms_text import prepare, size, split_for_sms
from bot.channels.telegram import split_text
from bot.outbox import SMS, STAFF_TELEGRAM, Claimed
from bot.text.scripts import detect_script

logger = logging.getLogger(__name__)

HOTLINE_TELEGRAM = "telegram"


class SendError(RuntimeError):
    """A channel that is not configured; the row is retried and logged like any failure."""


class Senders:
    def __init__(self) -> None:
        self._bots: dict[str, Bot] = {}
        self._twilio = None

    async def _bot(self, token_variable: str) -> Bot:
        token = settings.env(token_variable)
        if not token:
            raise SendError(f"{token_variable} is not set")
        if token_variable not in self._bots:
            self._bots[token_variable] = await telegram_bot(token)
        return self._bots[token_variable]

    async def send(self, message: Claimed) -> None:
        if message.channel == STAFF_TELEGRAM:
            await self._telegram(await self._bot("TELEGRAM_STAFF_BOT_TOKEN"), message)
        elif message.channel == HOTLINE_TELEGRAM:
            await self._telegram(await self._bot("TELEGRAM_BOT_TOKEN"), message)
        elif message.channel == SMS:
            await self._sms(message)
        else:
            raise SendError(f"unknown channel {message.channel!r}")
        logger.info("outbox %d sent (%s, %s)", message.id, message.kind, message.channel)

    async def _telegram(self, bot: Bot, message: Claimed) -> None:
        markup: Optional[InlineKeyboardMarkup] = None
        if message.buttons:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(b["title"], callback_data=b["payload"][:64])]
                                           for b in message.buttons])
        chunks = split_text(message.body)
        for index, chunk in enumerate(chunks):
            await bot.send_message(chat_id=int(message.address), text=chunk,
                                   reply_markup=markup if index == len(chunks) - 1 else None)

    async def _sms(self, message: Claimed) -> None:
        if self._twilio is None:
            if not settings.env("TWILIO_ACCOUNT_SID"):
                raise SendError("TWILIO_ACCOUNT_SID is not set")
            self._twilio = twilio_client()
        fold = settings.sms_fold_diacritics() and detect_script(message.body) != "cyrillic"
        # Alerts are never cut: a long one goes out in more messages, not shorter.
        parts, _ = split_for_sms(prepare(message.body, fold), max_segments=100)
        for part in parts:
            await self._twilio.messages.create_async(to=message.address, from_=sms_sender(message.address),
                                                     body=part)
            logger.info("outbox %d: sms of %d segment(s)", message.id, size(part).segments)

    async def close(self) -> None:
        for bot in self._bots.values():
            await bot.shutdown()
