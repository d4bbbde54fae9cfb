"""Configuration from the environment. A `.env` file may supply values; the real
environment wins."""
from __future__ import annotations

import os

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
