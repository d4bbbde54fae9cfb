"""Sending one outbox message: staff Telegram (the staff bot), a reporter's Telegram (the
hotline bot) or SMS (Twilio, for staff and reporters alike)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot import settings
from bot.channels.clients import sms_sender, telegram_bot, twilio_client
from bot.channels.sms_text import prepare, size, split_for_sms
from bot.channels.telegram import split_text
from bot.outbox.store import SMS, STAFF_TELEGRAM, Claimed
from bot.text.scripts import detect_script

logger = logging.getLogger(__name__)

HOTLINE_TELEGRAM = "telegram"
# Twilio refuses a body over 1600 characters; ten segments (1530 GSM-7 or 670 UCS-2
# characters) always fit.
SEGMENTS_PER_SMS = 10
_HARD_CUT = 1530


class SendError(RuntimeError):
    """A channel that is not configured; the row is retried and logged like any failure."""


def is_permanent(error: BaseException) -> bool:
    """A failure no retry can mend: Telegram refused the message or the chat (bad request,
    a bot the person blocked, a token it does not know), or Twilio refused the message or
    the number. The alert then moves on to the responder's next channel at once instead
    of after every retry (which take a quarter of an hour). A channel this deployment has
    not configured (no staff bot token, no Twilio account) is permanent too."""
    if isinstance(error, (BadRequest, Forbidden, InvalidToken, SendError)):
        return True
    return isinstance(error, TwilioRestException) and error.status in (400, 404)


def _line_chunks(line: str) -> list[str]:
    """One line as pieces that each fit one SMS body, cut at sentences, then words."""
    chunks, rest = [], line
    while size(rest).segments > SEGMENTS_PER_SMS:
        parts, dropped = split_for_sms(rest, SEGMENTS_PER_SMS)
        if parts:
            chunks.append(parts[0])
            rest = " ".join(dropped)  # within a line, what split_for_sms cut at is a space
        else:  # one "word" longer than a message
            chunks.append(rest[:_HARD_CUT])
            rest = rest[_HARD_CUT:]
    return chunks + ([rest] if rest.strip() else [])


def sms_bodies(text: str) -> list[str]:
    """The text as SMS bodies Twilio accepts, in order and complete: cut at line ends where
    it can, never shortened."""
    bodies: list[str] = []
    current = ""
    for line in text.strip().split("\n"):
        for chunk in _line_chunks(line) or [""]:
            candidate = f"{current}\n{chunk}" if current else chunk
            if current and size(candidate).segments > SEGMENTS_PER_SMS:
                bodies.append(current)
                candidate = chunk
            current = candidate
    if current.strip():
        bodies.append(current)
    return bodies


class Senders:
    def __init__(self) -> None:
        self._bots: dict[str, Bot] = {}
        self._starting = asyncio.Lock()
        self._twilio: Client | None = None

    async def _bot(self, bot: settings.TelegramBotSettings) -> Bot:
        token = bot.token
        if not token:
            raise SendError(f"{bot.token_variable} is not set")
        # Messages are sent side by side: the first starts the bot, the others wait for it
        # (not one bot, and one connection pool, each).
        async with self._starting:
            if bot.channel not in self._bots:
                self._bots[bot.channel] = await telegram_bot(token)
        return self._bots[bot.channel]

    async def send(self, message: Claimed) -> None:
        if message.channel == STAFF_TELEGRAM:
            await self._telegram(await self._bot(settings.STAFF_BOT), message)
        elif message.channel == HOTLINE_TELEGRAM:
            await self._telegram(await self._bot(settings.HOTLINE_BOT), message)
        elif message.channel == SMS:
            await self._sms(message)
        else:
            raise SendError(f"unknown channel {message.channel!r}")
        logger.info("outbox %d sent (%s, %s)", message.id, message.kind, message.channel)

    async def _telegram(self, bot: Bot, message: Claimed) -> None:
        markup: InlineKeyboardMarkup | None = None
        if message.buttons:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(b["title"], callback_data=b["payload"][:64])] for b in message.buttons]
            )
        chunks = split_text(message.body)
        for index, chunk in enumerate(chunks):
            await bot.send_message(
                chat_id=int(message.address), text=chunk, reply_markup=markup if index == len(chunks) - 1 else None
            )

    async def _sms(self, message: Claimed) -> None:
        if self._twilio is None:
            if not settings.env("TWILIO_ACCOUNT_SID"):
                raise SendError("TWILIO_ACCOUNT_SID is not set")
            self._twilio = twilio_client()
        fold = settings.sms_fold_diacritics() and detect_script(message.body) != "cyrillic"
        # Nothing is cut: a long message (a counsellor's reply) goes out in more SMS.
        for part in sms_bodies(prepare(message.body, fold)):
            await self._twilio.messages.create_async(to=message.address, from_=sms_sender(message.address), body=part)
            logger.info("outbox %d: sms of %d segment(s)", message.id, size(part).segments)

    async def close(self) -> None:
        for bot in self._bots.values():
            await bot.shutdown()
        self._bots.clear()
        if self._twilio is not None:
            await self._twilio.http_client.close()  # its aiohttp session
            self._twilio = None
