"""Staff phone numbers: the E.164 form, and the keyed hash that finds a responder by it."""

from __future__ import annotations

import re

from bot.privacy.pseudonyms import pseudonym

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_CHANNEL_PREFIXES = ("whatsapp:", "sms:", "tel:")  # Twilio's From for WhatsApp, tel: links
_SEPARATORS = re.compile(r"[\s\-./()]")


def normalize_phone(raw: str) -> str | None:
    """`+38763123456` for what a file or Twilio gives ("+387 63 123-456", "00387...",
    "whatsapp:+387..."); None when it is not an international number."""
    text = raw.strip().lower()
    for prefix in _CHANNEL_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = _SEPARATORS.sub("", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    return text if _E164.match(text) else None


def phone_key(phone: str) -> str:
    """The lookup key stored beside the sealed number (same input as normalize_phone)."""
    normalized = normalize_phone(phone)
    if normalized is None:
        raise ValueError("not an E.164 phone number")
    return pseudonym("staff-phone", normalized)
