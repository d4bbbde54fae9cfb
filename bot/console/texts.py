"""The console's words, in the local language (Bosnian/Croatian/Serbian, Latin) and English,
from data/console/texts.yml; the ready-made replies to reporters from
data/console/canned_replies.yml. Both are files the canton edits. Names of values that the
staff alerts also show (severity, incident type, crisis kind) come from the alerts' own
labels (bot.followup.texts.label), so that both say the same."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import yaml

from bot.followup.texts import label as alert_label
from bot.paths import PROJECT_DIR

CONSOLE_DATA = PROJECT_DIR / "data" / "console"
LANGUAGES = ("bcs", "en")
# Value names the staff alerts already have (data/hotline/texts/alerts.yml).
_ALERT_LABELS = ("severity", "incident_type", "crisis_kind")


@cache
def _file(name: str) -> dict[str, Any]:
    return yaml.safe_load((CONSOLE_DATA / f"{name}.yml").read_text(encoding="utf-8"))


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "bcs"


@dataclass(frozen=True)
class ConsoleTexts:
    """Texts for one language: `t("queue_title")`, `t.label("status", "new")`."""

    language: str

    def __call__(self, key: str, /, **values: Any) -> str:
        entry = _file("texts")["texts"].get(key)
        if entry is None:
            raise KeyError(f"no console text {key!r} in data/console/texts.yml")
        text = entry[self.language]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in _file("texts")["texts"]

    def label(self, group: str, value: str | None) -> str:
        """The name of a value (a status, a role, an event kind); the value itself when the
        file has no name for it, so that a new kind of event still shows."""
        return self("none") if value is None else _label(self.language, group, value)

    def labels(self, group: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(value, self.label(group, value)) for value in values]


@lru_cache(maxsize=4096)  # a queue page asks for hundreds of names, from a few dozen values
def _label(language: str, group: str, value: str) -> str:
    if group in _ALERT_LABELS:
        try:
            return alert_label(group, value, language)
        except KeyError:
            return value
    names = _file("texts")["labels"].get(group, {})
    return names[value][language] if value in names else value


@dataclass(frozen=True)
class CannedReply:
    key: str
    label: str
    text: str


def canned_replies(language: str) -> list[CannedReply]:
    replies = _file("canned_replies")["replies"]
    return [CannedReply(key, r["label"][language], r["text"][language]) for key, r in replies.items()]
