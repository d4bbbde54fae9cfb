"""The API clients every sender shares: python-telegram-bot's Bot (hotline bot and staff
bot) and twilio's async REST client, pointed at TELEGRAM_API_BASE_URL / TWILIO_API_BASE_URL
(fake servers in tests and the local demo)."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.request import HTTPXRequest
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot import settings

CONNECTIONS = 32


async def telegram_bot(token: str) -> Bot:
    # python-telegram-bot's default pool has one connection: every message would wait in
    # one line behind the others.
    bot = Bot(
        token,
        base_url=f"{settings.telegram_api_base_url()}/bot",
        request=HTTPXRequest(connection_pool_size=CONNECTIONS),
    )
    await bot.initialize()
    return bot


def twilio_client() -> Client:
    client = Client(
        settings.env("TWILIO_ACCOUNT_SID"), settings.env("TWILIO_AUTH_TOKEN"), http_client=AsyncTwilioHttpClient()
    )
    client.api.base_url = settings.twilio_api_base_url()
    return client


def sms_sender(address: str) -> str:
    """The hotline's number, as a WhatsApp address when writing to one."""
    number = settings.env("TWILIO_FROM_NUMBER")
    return f"whatsapp:{number}" if address.startswith("whatsapp:") else number


def quiet_http_client_logs() -> None:
    """The HTTP clients log every request at INFO (twilio: a dozen lines with headers):
    costly under load, and the more a log says about a send, the more it may say about a
    person. Our own log line per send says what matters."""
    for noisy in ("twilio", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
