"""Texts of the follow-up after a report, from the text catalogue: what reporters read
(data/hotline/texts/followup.yml) and what staff and services read (data/hotline/texts/alerts.yml,
always in Latin), and the labels staff read for a case's values.

Values are filled after rendering, so they appear as given: the counsellor's own words and
case codes are never transliterated (pass a date such as "28.11.2026. u 10:15" already
rendered with Reader.in_script if it has words in it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.text.catalogue import Reader, load, path_of, text
from bot.text.scripts import normalize_for_nlu

REPORTER_FILE = "followup"
STAFF_FILE = "alerts"
# Top-level entries of the files that are not texts in two languages.
_NOT_TEXTS = {REPORTER_FILE: ("menu_words",), STAFF_FILE: ("severity", "incident_type", "crisis_kind", "contact")}


def text_keys(name: str) -> list[str]:
    """The keys of the texts in one of the two files (for tests and tools)."""
    return [key for key in load(name) if key not in _NOT_TEXTS[name]]


def _text(name: str, key: str, reader: Reader, values: dict[str, Any]) -> str:
    if key in _NOT_TEXTS[name]:
        raise KeyError(f"no text {key!r} in {path_of(name)}")
    return text(name, key, reader, **values)


def reporter_text(key: str, language: str | None, script: str | None, /, **values: Any) -> str:
    """A text for a reporter, in their language (English or, by default, the local one) and,
    for the local language, their script."""
    return _text(REPORTER_FILE, key, Reader.of(language, script), values)


def staff_text(key: str, language: str | None, /, **values: Any) -> str:
    """A text for a member of staff or a service, in Latin."""
    return _text(STAFF_FILE, key, Reader.of(language, "latin"), values)


def label(kind: str, value: str, language: str | None) -> str:
    """The staff-facing name of a value: label("severity", "high", "en") is "high"."""
    labels = load(STAFF_FILE).get(kind) if kind in _NOT_TEXTS[STAFF_FILE] else None
    if labels is None:
        raise KeyError(f"no labels {kind!r} in {path_of(STAFF_FILE)}")
    if value not in labels:
        raise KeyError(f"no {kind} label {value!r} in {path_of(STAFF_FILE)}")
    return labels[value][Reader.of(language).language]


@lru_cache(maxsize=1)
def _menu_words() -> frozenset[str]:
    return frozenset(normalize_for_nlu(word) for word in load(REPORTER_FILE)["menu_words"])


def menu_words() -> set[str]:
    """What a reporter writes to leave a follow-up conversation for the main menu,
    normalised (Latin, lower case, no diacritics)."""
    return set(_menu_words())


def is_menu_word(typed: str) -> bool:
    """Whether a whole message asks for the main menu: "Izbornik!", "МЕНИ", "/menu"."""
    return normalize_for_nlu(re.sub(r"[^\w\s]", " ", typed)) in _menu_words()
