"""Sizing SMS replies: encodings, segments, and splitting at sentence boundaries.

č ć đ š ž and Cyrillic are not in the GSM-7 alphabet, so one such letter turns the whole
message into UCS-2: 70 characters in a single SMS, 67 per segment once split, instead of
160 and 153. Folding diacritics keeps Latin replies in GSM-7 and cuts their cost.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.text.scripts import fold_diacritics

# The GSM 03.38 basic character set, and the extension table (each costs two septets).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")
_SENTENCE_END = re.compile(r"(?<=[.!?…:])\s+")
# Typographic characters that would force UCS-2 for nothing.
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "•": "-", "…": "..."})


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text)


def septets(text: str) -> int:
    return sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)


@dataclass(frozen=True)
class Sizing:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def size(text: str) -> Sizing:
    if is_gsm7(text):
        units, single, multi, encoding = septets(text), 160, 153, "GSM-7"
    else:
        units, single, multi, encoding = len(text.encode("utf-16-le")) // 2, 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / multi)
    return Sizing(encoding, units, segments)


def prepare(text: str, fold: bool) -> str:
    """Plain punctuation always; diacritics folded when asked (Latin text only)."""
    text = text.translate(_PLAIN)
    return fold_diacritics(text) if fold else text


def split_for_sms(text: str, max_segments: int) -> tuple[list[str], list[str]]:
    """The reply as SMS text of at most `max_segments` segments, cut at a sentence or line
    boundary; returns (messages, dropped) so that what was cut can be logged. Line breaks
    (numbered options) are kept. A single sentence longer than the limit is split at words."""
    pieces: list[tuple[str, str]] = []  # (text, separator before it)
    for line_number, line in enumerate(text.strip().split("\n")):
        for index, sentence in enumerate(s for s in _SENTENCE_END.split(line) if s):
            for part_index, part in enumerate(_split_long(sentence, max_segments)):
                first = index == 0 and part_index == 0
                pieces.append((part, "\n" if first and line_number > 0 else " "))
    message = ""
    for index, (piece, separator) in enumerate(pieces):
        candidate = f"{message}{separator}{piece}" if message else piece
        if size(candidate).segments > max_segments:
            return ([message] if message else []), [p for p, _ in pieces[index:]]
        message = candidate
    return ([message] if message else []), []


def _split_long(sentence: str, max_segments: int) -> list[str]:
    if size(sentence).segments <= max_segments:
        return [sentence]
    parts, current = [], ""
    for word in sentence.split():
        candidate = f"{current} {word}".strip()
        if current and size(candidate).segments > max_segments:
            parts.append(current)
            current = word
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts
