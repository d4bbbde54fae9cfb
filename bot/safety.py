"""The crisis safety net: high-risk words and phrases answered as a crisis, whatever the
classifier thought. Its word list is a data file (data/hotline/safety_lexicon.yml)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from rapidfuzz.distance import Levenshtein

from bot.paths import DATA_DIR
from bot.text.scripts import normalize_for_nlu

CrisisKind = Literal["self_harm", "urgent_danger"]
# Self-harm is checked first: "I want to kill myself" must not read as a threat to others.
KINDS: tuple[CrisisKind, ...] = ("self_harm", "urgent_danger")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _KindRules:
    patterns: tuple[re.Pattern[str], ...]
    stems: tuple[str, ...]
    exceptions: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CrisisMatch:
    kind: CrisisKind
    evidence: str


def _compile(patterns: list[str] | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns or [])


class SafetyNet:
    def __init__(self, lexicon: dict) -> None:
        self._never_excused = _compile(lexicon.get("always_a_crisis"))
        shared_exceptions = _compile(lexicon.get("not_a_crisis"))
        self._rules = {
            kind: _KindRules(
                patterns=_compile(lexicon[kind].get("patterns")),
                stems=tuple(lexicon[kind].get("stems") or []),
                exceptions=shared_exceptions + _compile(lexicon.get(f"not_a_crisis_{kind}")),
            )
            for kind in KINDS
        }

    @classmethod
    def from_file(cls, path: Path) -> "SafetyNet":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def check(self, text: str) -> CrisisMatch | None:
        """The crisis a message signals, with the words that showed it, or None."""
        normalised = normalize_for_nlu(text)
        for kind in KINDS:
            rules = self._rules[kind]
            evidence = _find(normalised, rules)
            if evidence and not self._excused(normalised, rules):
                return CrisisMatch(kind, evidence)
        return None

    def _excused(self, text: str, rules: _KindRules) -> bool:
        if any(p.search(text) for p in self._never_excused):
            return False
        return any(e.search(text) for e in rules.exceptions)


def _find(text: str, rules: _KindRules) -> str | None:
    for pattern in rules.patterns:
        match = pattern.search(text)
        if match:  # a pattern of lookaheads alone matches "": the message is the evidence
            return match.group(0) or text[:80]
    for word in _WORD.findall(text):
        for stem in rules.stems:
            if _starts_with_allowing_a_typo(word, stem):
                return word
    return None


def _starts_with_allowing_a_typo(word: str, stem: str) -> bool:
    # A typo may drop, add or swap a letter, so the prefix to compare is one longer or shorter.
    lengths = (len(stem) - 1, len(stem), len(stem) + 1)
    return any(
        len(word) >= n and Levenshtein.distance(word[:n], stem) <= 1 for n in lengths
    )


@lru_cache(maxsize=1)
def default_safety_net() -> SafetyNet:
    return SafetyNet.from_file(DATA_DIR / "safety_lexicon.yml")
