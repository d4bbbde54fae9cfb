"""Keyed pseudonyms: a stable id for a conversation that reveals nothing about it."""

from __future__ import annotations

import hashlib
import hmac

from bot import settings


def pseudonym(*parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.secret_key(), message, hashlib.sha256).hexdigest()
