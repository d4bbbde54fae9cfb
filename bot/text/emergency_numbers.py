"""Emergency numbers and help services, from data/hotline/contacts.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.paths import DATA_DIR

CONTACTS_FILE = DATA_DIR / "contacts.yml"


@lru_cache(maxsize=4)
def load_contacts(path: Path = CONTACTS_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def placeholders(language: str | None, path: Path = CONTACTS_FILE) -> dict[str, str]:
    """Values for {police}, {ambulance}, {child_helpline}, ... in the reader's language."""
    language = language if language in ("en", "bcs") else "bcs"
    values = {}
    for key, value in load_contacts(path)["emergency"].items():
        values[key] = value[language] if isinstance(value, dict) else str(value)
    return values


def fill(text: str, language: str | None) -> str:
    """Fill contact placeholders; unknown braces are left as they are."""
    values = placeholders(language)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def services(language: str | None) -> list[dict[str, str]]:
    language = language if language in ("en", "bcs") else "bcs"
    return [
        {"id": s["id"], "name": s["name"][language], "how": fill(s["how"][language], language)}
        for s in load_contacts()["services"]
    ]
