"""Texts of the follow-up after a report: what reporters read (data/hotline/followup_texts.yml)
and what staff and services read (data/hotline/alert_texts.yml).

Reporter texts in Bosnian/Croatian/Serbian are authored in Latin and rendered in Cyrillic
for readers who write Cyrillic. Values are filled after rendering, so they appear as given:
the counsellor's own words and case codes are never transliterated (pass a date such as
"28.11.2026. u 10:15" already rendered with bot.text.scripts.render if it has words in it).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from bot.paths import DATA_DIR
from bot.text.scripts import normalize_for_nlu, render

REPORTER_FILE = "followup_texts.yml"
STAFF_FILE = "alert_texts.yml"
LANGUAGES = ("en", "bcs")
# Top-level entries of the files that are not texts in two languages.
_NOT_TEXTS = {REPORTER_FILE: ("menu_words",),
              STAFF_FILE: ("severity", "incident_type", "crisis_kind", "contact")}


@lru_cache(maxsize=None)
def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


def text_keys(name: str) -> list[str]:
    """The keys of the texts in one of the two files (for tests and tools)."""
    return [key for key in _load(name) if key not in _NOT_TEXTS[name]]


def _language(language: str | None) -> str:
    return "en" if language == "en" else "bcs"


def _template(name: str, key: str, language: str) -> str:
    if key in _NOT_TEXTS[name] or key not in _load(name):
        raise KeyError(f"no text {key!r} in data/hotline/{name}")
    entry = _load(name)[key]
    if not isinstance(entry, dict) or language not in entry:
        raise KeyError(f"text {key!r} in data/hotline/{name} has no {language!r} version")
    return entry[language]


def _fill(template: str, key: str, values: dict[str, Any]) -> str:
    try:
        return template.format(**values)
    except KeyError as missing:
        raise KeyError(f"text {key!r} needs a value for {{{missing.args[0]}}}") from None


def reporter_text(key: str, language: str | None, script: str | None, **values: Any) -> str:
    """A text for a reporter, in their language (English or, by default, the local one) and,
    for the local language, their script."""
    language = _language(language)
    template = _template(REPORTER_FILE, key, language)
    if language == "bcs":
        template = render(template, script)
    return _fill(template, key, values)


def staff_text(key: str, language: str | None, **values: Any) -> str:
    """A text for a member of staff or a service, in Latin."""
    language = _language(language)
    return _fill(_template(STAFF_FILE, key, language), key, values)


def label(kind: str, value: str, language: str | None) -> str:
    """The staff-facing name of a value: label("severity", "high", "en") is "high"."""
    labels = _load(STAFF_FILE).get(kind) if kind in _NOT_TEXTS[STAFF_FILE] else None
    if labels is None:
        raise KeyError(f"no labels {kind!r} in data/hotline/{STAFF_FILE}")
    if value not in labels:
        raise KeyError(f"no {kind} label {value!r} in data/hotline/{STAFF_FILE}")
    return labels[value][_language(language)]


@lru_cache(maxsize=1)
def _menu_words() -> frozenset[str]:
    return frozenset(normalize_for_nlu(word) for word in _load(REPORTER_FILE)["menu_words"])


def menu_words() -> set[str]:
    """What a reporter writes to leave a follow-up conversation for the main menu,
    normalised (Latin, lower case, no diacritics)."""
    return set(_menu_words())


def is_menu_word(typed: str) -> bool:
    """Whether a whole message asks for the main menu: "Izbornik!", "МЕНИ", "/menu"."""
    text = normalize_for_nlu(re.sub(r"[^\w\s]", " ", typed))
    return text in _menu_words()
