"""The pieces a long message is judged by, so that a crisis in one sentence still counts
and a long ordinary text does not add up to one.

Sentences end at . ! ? … or a line break. Children often write without any, so a sentence
longer than MAX_PIECE_CHARS is cut into overlapping windows of words; a window's context
(for idiom exceptions: "mama će me ubiti ako zakasnim") reaches CONTEXT_WORDS further on
each side. Neighbouring pieces are also judged together: "Sad smo u hodniku. Tuku ga." is
a crisis only as a pair."""

from __future__ import annotations

import re
from itertools import pairwise

# Judged whole, as the classifier and the safety net were built for (the training
# messages are at most about 120 characters).
SHORT_MESSAGE_CHARS = 200
MAX_PIECE_CHARS = 200
CONTEXT_WORDS = 10
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")


def is_long(text: str) -> bool:
    return len(text) > SHORT_MESSAGE_CHARS


def sentence_ends(text: str) -> list[int]:
    """Where the message's sentences end (the offsets just after each boundary)."""
    return [boundary.end() for boundary in _SENTENCE_END.finditer(text)]


def sentences(text: str) -> list[str]:
    """The message's sentences, each at most MAX_PIECE_CHARS (longer ones as windows)."""
    return [piece for piece, _ in _sentences_in_context(text)]


def pieces(text: str) -> list[str]:
    """What to judge: a short message whole; a long one as its sentences and each pair of
    neighbouring sentences."""
    return [piece for piece, _ in pieces_in_context(text)]


def pieces_in_context(text: str) -> list[tuple[str, str]]:
    """(piece, its context) for each piece of `pieces`: the context is the piece itself,
    except for a window of a run-on sentence, whose context reaches a little further (and
    a pair's, which is its two pieces' contexts)."""
    if not is_long(text):
        return [(text, text)]
    parts = _sentences_in_context(text)
    pairs = [
        (f"{first} {second}", f"{first_context} {second_context}")
        for (first, first_context), (second, second_context) in pairwise(parts)
    ]
    return parts + pairs


def _sentences_in_context(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if sentence:
            found.extend(_windows(sentence))
    return found


def _windows(sentence: str) -> list[tuple[str, str]]:
    if len(sentence) <= MAX_PIECE_CHARS:
        return [(sentence, sentence)]
    words = sentence.split()
    windows: list[tuple[str, str]] = []
    start = 0
    while start < len(words):
        end, length = start, 0
        while end < len(words) and (end == start or length + len(words[end]) + 1 <= MAX_PIECE_CHARS):
            length += len(words[end]) + 1
            end += 1
        context = words[max(0, start - CONTEXT_WORDS) : end + CONTEXT_WORDS]
        windows.append((" ".join(words[start:end]), " ".join(context)))
        if end == len(words):
            break
        start = max(start + 1, (start + end) // 2)  # half overlaps: no phrase falls between two
    return windows
