"""The phrase patterns of data/hotline/extraction.yml, compiled once.

Every pattern is searched in text folded by `normalize_for_nlu` (Latin script, no
diacritics, lower case), so one pattern serves every script and spelling."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from bot.paths import DATA_DIR
from bot.text.scripts import normalize_for_nlu

EXTRACTION_FILE = DATA_DIR / "extraction.yml"
# Sections whose entries are values, each with its own patterns, tried in file order.
VALUED_SECTIONS = ("incident_type", "affected", "reporter_role", "incident_time", "danger_now", "yes_no", "confirm")
# Sections that are one list of patterns.
FLAT_SECTIONS = ("skip", "cancel", "report_request", "question")


class PatternError(ValueError):
    """A pattern in the extraction file that does not compile; names the section."""


def _compile(section: str, patterns: Any) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns or []:
        try:
            compiled.append(re.compile(str(pattern)))
        except re.error as error:
            raise PatternError(f"{EXTRACTION_FILE.name}: {section}: {pattern!r}: {error}") from None
    return tuple(compiled)


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    data = yaml.safe_load(EXTRACTION_FILE.read_text(encoding="utf-8"))
    valued = {
        section: {str(value): _compile(f"{section}.{value}", patterns) for value, patterns in data[section].items()}
        for section in VALUED_SECTIONS
    }
    flat = {section: _compile(section, data[section]) for section in FLAT_SECTIONS}
    aliases = {fold(town): tuple(data.get("town_aliases", {}).get(town) or ()) for town in data.get("town_aliases", {})}
    generic = frozenset(fold(w) for w in data.get("school_generic_words") or ())
    levels = {level: tuple(fold(w) for w in words) for level, words in (data.get("school_levels") or {}).items()}
    return {**valued, **flat, "town_aliases": aliases, "school_generic_words": generic, "school_levels": levels}


def fold(text: str) -> str:
    """The form every pattern is written for."""
    return normalize_for_nlu(re.sub(r"[!?,;:()\"“”„]+", " ", text))


def value_in(section: str, text: str, folded: bool = False) -> str | None:
    """The first value of a section whose patterns match the text, or None."""
    probe = text if folded else fold(text)
    for value, patterns in _load()[section].items():
        if any(p.search(probe) for p in patterns):
            return value
    return None


def says(section: str, text: str, folded: bool = False) -> bool:
    """True when one of a flat section's patterns (skip, cancel, report_request, question) matches."""
    probe = text if folded else fold(text)
    return any(p.search(probe) for p in _load()[section])


def first_match(section: str, folded: str) -> re.Match[str] | None:
    """The first match of a flat section's patterns in already folded text."""
    for pattern in _load()[section]:
        match = pattern.search(folded)
        if match:
            return match
    return None


def town_names(town: str) -> tuple[str, ...]:
    """A municipality's name and the other names people call it by."""
    return (town,) + _load()["town_aliases"].get(fold(town), ())


def school_generic_words() -> frozenset[str]:
    return _load()["school_generic_words"]


def school_levels_in(words: list[str]) -> set[str]:
    """The school levels ("primary", "secondary") that words of a text or a name name."""

    def names(word: str, level_word: str) -> bool:
        return word == level_word or (len(level_word) >= 5 and word.startswith(level_word))

    return {
        level
        for level, level_words in _load()["school_levels"].items()
        if any(names(w, lw) for w in words for lw in level_words)
    }


def check_file() -> None:
    """Compile every pattern now (raises PatternError naming the bad one)."""
    _load.cache_clear()
    _load()
