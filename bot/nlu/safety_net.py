"""The crisis safety net: high-risk words and phrases answered as a crisis, whatever the
classifier thought. Its word list is a data file (data/hotline/safety_lexicon.yml).

A long message is checked sentence by sentence (and pair by pair), each with its own idiom
exceptions, so that words from different parts of a diary never make a match. Bare
mentions of a weapon or an explosive ("the knife for the bread", "atomic bombs") are
marked as such: in a long message they count only where the crisis detector also reads the
sentence as danger (bot.nlu.components.CrisisSafetyNet)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from rapidfuzz.distance import Levenshtein

from bot.paths import DATA_DIR
from bot.text.scripts import normalize_for_nlu
from bot.text.sentences import pieces_in_context

CrisisKind = Literal["self_harm", "urgent_danger"]
# Self-harm is checked first: "I want to kill myself" must not read as a threat to others.
KINDS: tuple[CrisisKind, ...] = ("self_harm", "urgent_danger")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _KindRules:
    patterns: tuple[re.Pattern[str], ...]
    stems: tuple[str, ...]
    mentions: tuple[re.Pattern[str], ...]
    mention_stems: tuple[str, ...]
    exceptions: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CrisisMatch:
    kind: CrisisKind
    evidence: str
    mention: bool = False  # only a weapon or explosive was named, nothing said of danger


def _compile(patterns: list[str] | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns or [])


class SafetyNet:
    def __init__(self, lexicon: dict[str, Any]) -> None:
        self._harmless = _compile(lexicon.get("harmless"))
        self._never_excused = _compile(lexicon.get("always_a_crisis"))
        shared_exceptions = _compile(lexicon.get("not_a_crisis"))
        self._rules = {
            kind: _KindRules(
                patterns=_compile(lexicon[kind].get("patterns")),
                stems=tuple(lexicon[kind].get("stems") or []),
                mentions=_compile(lexicon[kind].get("mentions")),
                mention_stems=tuple(lexicon[kind].get("mention_stems") or []),
                exceptions=shared_exceptions + _compile(lexicon.get(f"not_a_crisis_{kind}")),
            )
            for kind in KINDS
        }

    @classmethod
    def from_file(cls, path: Path) -> SafetyNet:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def check(self, text: str) -> CrisisMatch | None:
        """The crisis a message signals, with the words that showed it, or None. A danger
        said outright wins over a bare mention of a weapon."""
        found = [match for _, match in self.matches(text)]
        return next((m for m in found if not m.mention), found[0] if found else None)

    def matches(self, text: str) -> list[tuple[str, CrisisMatch]]:
        """(piece, match) for every piece of the message that matches (bot.text.sentences)."""
        found = []
        for piece, context in pieces_in_context(text):
            match = self._check_piece(normalize_for_nlu(piece), normalize_for_nlu(context))
            if match is not None:
                found.append((piece, match))
        return found

    def _check_piece(self, normalised: str, context: str | None = None) -> CrisisMatch | None:
        """The match in a piece; its idiom exceptions are looked for in its context."""
        normalised, context = self._without_toys(normalised), self._without_toys(context or normalised)
        candidates = []
        for kind in KINDS:
            rules = self._rules[kind]
            for mention, (patterns, stems) in (
                (False, (rules.patterns, rules.stems)),
                (True, (rules.mentions, rules.mention_stems)),
            ):
                evidence = _find(normalised, patterns, stems)
                if evidence and not self._excused(context, rules):
                    candidates.append(CrisisMatch(kind, evidence, mention))
        return next((m for m in candidates if not m.mention), candidates[0] if candidates else None)

    def _without_toys(self, text: str) -> str:
        for toy in self._harmless:
            text = toy.sub(" ", text)
        return text

    def _excused(self, text: str, rules: _KindRules) -> bool:
        if any(p.search(text) for p in self._never_excused):
            return False
        return any(e.search(text) for e in rules.exceptions)


def _find(text: str, patterns: tuple[re.Pattern[str], ...], stems: tuple[str, ...]) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:  # a pattern of lookaheads alone matches "": the message is the evidence
            return match.group(0) or text[:80]
    for word in _WORD.findall(text):
        for stem in stems:
            if _starts_with_allowing_a_typo(word, stem):
                return word
    return None


def _starts_with_allowing_a_typo(word: str, stem: str) -> bool:
    # A typo may drop, add or swap a letter, so the prefix to compare is one longer or shorter.
    lengths = (len(stem) - 1, len(stem), len(stem) + 1)
    return any(len(word) >= n and Levenshtein.distance(word[:n], stem) <= 1 for n in lengths)


@lru_cache(maxsize=1)
def default_safety_net() -> SafetyNet:
    return SafetyNet.from_file(DATA_DIR / "safety_lexicon.yml")
