"""Fetching a reporter's file from the channel that holds it, for staff who clicked to see
it: a Telegram file through the hotline bot's API (getFile, then the download), an MMS from
Twilio with the account's credentials. Nothing is stored here; the channel keeps the file."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from telegram import Bot
from telegram.error import TelegramError

from bot import settings
from bot.storage.models import Attachment

TIMEOUT_SECONDS = 15
MAX_BYTES = 20 * 1024 * 1024  # Telegram's own download limit for bots
# Shown in the page; anything else is downloaded, never rendered by the browser.
SHOWN_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


class FetchError(RuntimeError):
    """The channel could not give the file (gone, unreachable, not configured)."""


@dataclass(frozen=True)
class FetchedFile:
    content: bytes
    content_type: str

    @property
    def shown_inline(self) -> bool:
        return self.content_type in SHOWN_TYPES


async def _from_telegram(file_id: str) -> bytes:
    base = settings.telegram_api_base_url()
    bot = Bot(settings.HOTLINE_BOT.token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")
    async with bot:
        telegram_file = await bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())


def _from_twilio(url: str) -> bytes:
    # Only Twilio's own media addresses: a reference is never a way to make this server
    # fetch an arbitrary address.
    allowed = {urlsplit(settings.twilio_api_base_url()).netloc, "api.twilio.com"}
    if urlsplit(url).netloc not in allowed:
        raise FetchError("not a Twilio media address")
    auth = (settings.env("TWILIO_ACCOUNT_SID"), settings.env("TWILIO_AUTH_TOKEN"))
    response = requests.get(url, auth=auth, timeout=TIMEOUT_SECONDS)
    if response.status_code != 200:
        raise FetchError(f"Twilio answered {response.status_code}")
    return response.content


def fetch(attachment: Attachment) -> FetchedFile:
    try:
        if attachment.channel == "telegram":
            content = asyncio.run(_from_telegram(attachment.file_ref))
        else:
            content = _from_twilio(attachment.file_ref)
    except (TelegramError, requests.RequestException, OSError) as error:
        raise FetchError(type(error).__name__) from None
    if len(content) > MAX_BYTES:
        raise FetchError("file too large")
    return FetchedFile(content, (attachment.content_type or "application/octet-stream").split(";")[0].strip())
