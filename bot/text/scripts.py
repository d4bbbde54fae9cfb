"""Scripts of Bosnian/Croatian/Serbian: Latin (with or without diacritics) and Cyrillic.

Replies are authored once in Latin; a reader who writes Cyrillic gets them rendered in
Cyrillic. The NLU sees one folded form whatever script or diacritics the user typed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import cyrtranslit

Script = Literal["latin", "cyrillic"]

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")

# Tokens that must never be transliterated: placeholders, case codes, anything with a
# digit (phone numbers, PINs), URLs and e-mail addresses, button payloads.
_PROTECTED = re.compile(
    r"(\{[^{}]*\}"  # template placeholders
    r"|https?://\S+|\S+@\S+"  # URLs, e-mail addresses
    r"|(?<!\S)/[a-z_]+(?:\{[^\n]*\})?"  # payloads such as /choose{"choice": "x"}, not "mogao/la"
    r"|\b[\w-]*\d[\w-]*\b"  # codes, numbers
    r"|\b(?:English|Telegram|Viber|WhatsApp|Instagram|TikTok|Snapchat|Facebook)\b)"  # names
)

# cyrtranslit reads "LJ" in an all-caps word as two letters; Serbian Cyrillic has one.
_CAPS_DIGRAPH = re.compile(r"(LJ|NJ|DŽ)(?=[A-ZČĆĐŠŽ])|(?<=[A-ZČĆĐŠŽ])(LJ|NJ|DŽ)")

_FOLD = str.maketrans({"đ": "dj", "Đ": "Dj"})


def detect_script(text: str) -> Script | None:
    """The script the text is mostly written in, or None when it has no letters."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == 0 and latin == 0:
        return None
    return "cyrillic" if cyrillic > latin else "latin"


def to_latin(text: str) -> str:
    """Serbian Cyrillic to Latin (with diacritics); Latin text passes through."""
    return cyrtranslit.to_latin(text, "sr")


def _latin_word_to_cyrillic(chunk: str) -> str:
    chunk = _CAPS_DIGRAPH.sub(lambda m: (m.group(1) or m.group(2)).capitalize(), chunk)
    return cyrtranslit.to_cyrillic(chunk, "sr")


def to_cyrillic(text: str) -> str:
    """Latin BCS text we authored to Serbian Cyrillic, leaving protected tokens alone."""
    parts = []
    last = 0
    for match in _PROTECTED.finditer(text):
        parts.append(_latin_word_to_cyrillic(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_latin_word_to_cyrillic(text[last:]))
    return "".join(parts)


def render(text: str, script: str | None) -> str:
    """Render an authored Latin text in the reader's script."""
    return to_cyrillic(text) if script == "cyrillic" else text


def fold_diacritics(text: str) -> str:
    """č ć š ž to c s z and đ to dj: what people type on phones without a local keyboard."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_for_nlu(text: str) -> str:
    """One form for featurisation: Latin script, no diacritics, case-folded, tidy spaces."""
    folded = fold_diacritics(to_latin(text)).casefold()
    return re.sub(r"\s+", " ", folded).strip()
