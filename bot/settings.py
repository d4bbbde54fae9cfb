"""Configuration from the environment. A `.env` file may supply values; the real
environment wins."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dotenv import load_dotenv

from bot.paths import PROJECT_DIR

load_dotenv(PROJECT_DIR / ".env", override=False)

DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_DIR / 'var' / 'hotline.db'}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def secret_key() -> bytes:
    """Key for pseudonyms (HMAC). A development default keeps `make run` working; a
    deployment must set HOTLINE_SECRET_KEY."""
    return os.environ.get("HOTLINE_SECRET_KEY", "dev-only-not-secret").encode()


def retention_days() -> int:
    return int(os.environ.get("HOTLINE_RETENTION_DAYS", "30"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def public_base_url() -> str:
    """The address Twilio and Telegram call (the server sits behind a proxy)."""
    return env("PUBLIC_BASE_URL", "http://127.0.0.1:5005").rstrip("/")


def console_public_url() -> str:
    """Where staff open the console (invitation links point there)."""
    return env("CONSOLE_PUBLIC_URL", f"http://localhost:{env('CONSOLE_PORT', '8000')}").rstrip("/")


def telegram_api_base_url() -> str:
    return env("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")


def twilio_api_base_url() -> str:
    return env("TWILIO_API_BASE_URL", "https://api.twilio.com").rstrip("/")


def sms_max_segments() -> int:
    return int(env("SMS_MAX_SEGMENTS", "6"))


def sms_fold_diacritics() -> bool:
    return env("SMS_FOLD_DIACRITICS", "true").lower() in ("1", "true", "yes", "on")


def contact_vault_key() -> bytes:
    """Fernet key for the contact vault; derived from HOTLINE_SECRET_KEY when not set."""
    import base64
    import hashlib

    explicit = env("CONTACT_VAULT_KEY")
    if explicit:
        return explicit.encode()
    digest = hashlib.sha256(b"contact-vault:" + secret_key()).digest()
    return base64.urlsafe_b64encode(digest)


def worker_poll_seconds() -> float:
    """How often the worker looks for due messages and overdue cases."""
    return float(env("WORKER_POLL_SECONDS", "0.2"))


@dataclass(frozen=True)
class TelegramBotSettings:
    """One of the two Telegram bots: the hotline's and the staff bot. The staff bot uses
    the hotline's webhook secret when it has none of its own."""

    channel: str  # its webhook: /webhooks/<channel>/webhook
    token_variable: str
    secret_variable: str

    @property
    def token(self) -> str:
        return env(self.token_variable)

    @property
    def secret(self) -> str:
        return env(self.secret_variable) or env("TELEGRAM_WEBHOOK_SECRET")


HOTLINE_BOT = TelegramBotSettings("telegram", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")
STAFF_BOT = TelegramBotSettings("staff_telegram", "TELEGRAM_STAFF_BOT_TOKEN", "TELEGRAM_STAFF_WEBHOOK_SECRET")


def sms_alerts_with_words() -> bool:
    """Whether SMS alerts quote the child's words. A deployment whose SMS path is not
    trusted sets ALERT_SMS_WITH_WORDS=false; the staff bot still shows them."""
    return env("ALERT_SMS_WITH_WORDS", "true").lower() in ("1", "true", "yes", "on")


def _count(name: str, default: int) -> int:
    """A limit from the environment; 0 turns it off."""
    return max(0, int(env(name, str(default))))


@dataclass(frozen=True)
class FloodLimits:
    """How much one sender, and the whole deployment, may cost (bot.channels.flood and
    bot.channels.sms_budget). 0 turns a limit off. Crises are answered whatever they say."""

    messages_per_minute: int
    messages_per_day: int
    sms_segments_per_sender_day: int
    sms_segments_per_day: int

    @classmethod
    def from_env(cls) -> FloodLimits:
        return cls(
            messages_per_minute=_count("FLOOD_MESSAGES_PER_MINUTE", 20),
            messages_per_day=_count("FLOOD_MESSAGES_PER_DAY", 400),
            sms_segments_per_sender_day=_count("SMS_DAILY_SEGMENTS_PER_SENDER", 120),
            sms_segments_per_day=_count("SMS_DAILY_SEGMENTS_TOTAL", 20000),
        )
