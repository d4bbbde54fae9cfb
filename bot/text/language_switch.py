"""What a reporter asks for when they ask to change language or script."""

from __future__ import annotations

import re

from bot.text.scripts import normalize_for_nlu

_ENGLISH = re.compile(r"\b(english|engleski\w*|eng)\b")
_LOCAL = re.compile(r"\b(bosn\w*|bosan\w*|hrvat\w*|croat\w*|srp\w*|serb\w*|nas\w* jezik\w*|nasem|naski|bcs|lokal\w*)\b")
_CYRILLIC = re.compile(r"\b(cirilic\w*|cyrillic)\b")
_LATIN = re.compile(r"\b(latinic\w*|latin)\b")


def requested_language(text: str, language: str | None, script: str | None) -> tuple[str, str]:
    """(language, script) after a switch request; a bare "change language" toggles."""
    typed = normalize_for_nlu(text)
    if _CYRILLIC.search(typed):
        return "bcs", "cyrillic"
    if _LATIN.search(typed):
        return "bcs", "latin"
    if _LOCAL.search(typed):
        return "bcs", script if script in ("latin", "cyrillic") else "latin"
    if _ENGLISH.search(typed):
        return "en", "latin"
    return ("bcs", "latin") if language == "en" else ("en", "latin")
