"""The peace-education resource library: topics in data/hotline/resources/*.yml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.paths import DATA_DIR
from bot.text import emergency_numbers
from bot.text.scripts import normalize_for_nlu

RESOURCES_DIR = DATA_DIR / "resources"
LANGUAGES = ("en", "bcs")
SHORT_LIMIT = 320
MATCH_THRESHOLD = 1.0


class ResourceError(ValueError):
    """A resource file that does not follow the schema; the message names the file."""


@dataclass(frozen=True)
class Topic:
    id: str
    audience: tuple[str, ...]
    title: dict[str, str]
    keywords: dict[str, tuple[str, ...]]
    short: dict[str, str]
    long: dict[str, str]

    def text(self, form: str, language: str | None) -> str:
        """The short or long text in the language, with contact numbers filled in."""
        language = language if language in LANGUAGES else "bcs"
        return emergency_numbers.fill(getattr(self, form)[language].strip(), language)


def _load_topic(path: Path) -> Topic:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        topic = Topic(
            id=data["id"],
            audience=tuple(data.get("audience") or ()),
            title={lang: data["title"][lang] for lang in LANGUAGES},
            keywords={lang: tuple(data["keywords"][lang]) for lang in LANGUAGES},
            short={lang: data["short"][lang] for lang in LANGUAGES},
            long={lang: data["long"][lang] for lang in LANGUAGES},
        )
    except (KeyError, TypeError) as error:
        raise ResourceError(f"{path.name}: missing {error}") from error
    if topic.id != path.stem:
        raise ResourceError(f"{path.name}: id '{topic.id}' differs from the file name")
    for lang in LANGUAGES:
        if len(topic.text("short", lang)) > SHORT_LIMIT:
            raise ResourceError(f"{path.name}: short.{lang} is over {SHORT_LIMIT} characters")
    return topic


@lru_cache(maxsize=4)
def load_library(directory: Path = RESOURCES_DIR) -> tuple[Topic, ...]:
    return tuple(_load_topic(path) for path in sorted(directory.glob("*.yml")))


def find_topic(topic_id: str, directory: Path = RESOURCES_DIR) -> Topic | None:
    return next((t for t in load_library(directory) if t.id == topic_id), None)


def best_topic(question: str, directory: Path = RESOURCES_DIR) -> Topic | None:
    """The topic whose keywords and title best fit a free question, if any fits well."""
    words = normalize_for_nlu(question).split()
    if not words:
        return None
    scored = []
    for topic in load_library(directory):
        terms = [normalize_for_nlu(k) for lang in LANGUAGES for k in topic.keywords[lang]]
        terms += [normalize_for_nlu(topic.title[lang]) for lang in LANGUAGES]
        score = sum(_term_score(term, words) for term in terms)
        scored.append((score, topic.id, topic))
    scored.sort(key=lambda entry: entry[0], reverse=True)
    (best, _, topic), runner_up = scored[0], scored[1][0] if len(scored) > 1 else 0.0
    # One clear winner, or the menu: a tie means the question does not say which topic.
    return topic if best >= MATCH_THRESHOLD and best > runner_up else None


def _term_score(term: str, words: list[str]) -> float:
    # A keyword counts when a word of the question starts like it (endings vary in BCS).
    stem = term[: max(4, len(term) - 2)]
    if " " in term:
        return 1.5 if fuzz.partial_ratio(term, " ".join(words)) >= 90 else 0.0
    return 1.0 if any(w.startswith(stem) or fuzz.ratio(w, term) >= 88 for w in words) else 0.0
