"""Channel replies from data/hotline/channel_texts.yml, in the writer's language and script."""
from __future__ import annotations

from functools import lru_cache

import yaml

from bot.text import emergency_numbers
from bot.paths import DATA_DIR
from bot.text.language import detect_language
from bot.text.scripts import detect_script, render


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    return yaml.safe_load((DATA_DIR / "channel_texts.yml").read_text(encoding="utf-8"))


def channel_text(key: str, user_text: str = "") -> str:
    """The text in the language the user wrote in; both languages when that is unknown."""
    return in_writers_language(_texts()[key], user_text)


def in_writers_language(entry: dict[str, str], user_text: str = "") -> str:
    """{"en": ..., "bcs": ...} in the writer's language and script, contacts filled in;
    both languages when the message does not say."""
    language = detect_language(user_text) if user_text else None
    if language == "en":
        return emergency_numbers.fill(entry["en"], "en")
    local = render(emergency_numbers.fill(entry["bcs"], "bcs"), detect_script(user_text))
    if language == "bcs":
        return local
    return f"{local}\n\n{emergency_numbers.fill(entry['en'], 'en')}"
