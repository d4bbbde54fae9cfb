"""The text catalogue: every text the hotline composes outside Rasa's responses, from the
files in data/hotline/texts/ that a deploying canton edits, for one reader.

One loader (`load`) and one way to put a text in front of a reader (`for_reader`): the
reader's language (English, or the local Bosnian/Croatian/Serbian), Cyrillic for a reader
who writes Cyrillic (texts are authored once, in Latin), the emergency numbers of
data/hotline/contacts.yml, then the values. Values are filled last, so that case codes and
a counsellor's own words appear exactly as typed. A reader whose language is not known
gets both languages, the local one first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from bot.paths import DATA_DIR
from bot.text import emergency_numbers
from bot.text.language import detect_language
from bot.text.scripts import detect_script, render

TEXTS_DIR = DATA_DIR / "texts"
LANGUAGES = ("bcs", "en")


@dataclass(frozen=True)
class Reader:
    """Who reads a text: language "en" or "bcs" (None: not known), and for the local
    language the script ("latin" or "cyrillic")."""

    language: str | None
    script: str | None = "latin"

    @classmethod
    def of(cls, language: str | None, script: str | None = None) -> Reader:
        """A reader whose language is known; anything but English is the local language."""
        return cls("en" if language == "en" else "bcs", script or "latin")

    @classmethod
    def of_text(cls, text: str) -> Reader:
        """The writer of `text`, as far as it tells (an empty text tells nothing)."""
        return cls(detect_language(text) if text else None, detect_script(text))

    def in_script(self, text: str) -> str:
        """A text composed in Latin, in this reader's script."""
        return text if self.language == "en" else render(text, self.script)


@cache
def load(name: str) -> dict[str, Any]:
    """data/hotline/texts/<name>.yml, read once."""
    return yaml.safe_load((TEXTS_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def path_of(name: str) -> str:
    return f"data/hotline/texts/{name}.yml"


def entry(name: str, key: str) -> Mapping[str, str]:
    """One text of a file, in both languages; a missing one is named with its file."""
    found = load(name).get(key)
    if not isinstance(found, dict):
        raise KeyError(f"no text {key!r} in {path_of(name)}")
    missing = [language for language in LANGUAGES if language not in found]
    if missing:
        raise KeyError(f"text {key!r} in {path_of(name)} has no {missing[0]!r} version")
    return found


def _one(template: str, language: str, script: str | None, key: str, values: Mapping[str, Any]) -> str:
    text = emergency_numbers.fill(template, language)
    if language == "bcs":
        text = render(text, script)
    try:
        return text.format(**values)
    except KeyError as missing:
        raise KeyError(f"text {key!r} needs a value for {{{missing.args[0]}}}") from None


def for_reader(texts: Mapping[str, str], reader: Reader, key: str = "text", /, **values: Any) -> str:
    """{"en": ..., "bcs": ...} for this reader, numbers and values filled in. (The
    parameters are positional-only, so that a value may be called `name`, `key` or `text`.)"""
    if reader.language is None:
        return (
            f"{_one(texts['bcs'], 'bcs', reader.script, key, values)}\n\n{_one(texts['en'], 'en', None, key, values)}"
        )
    return _one(texts[reader.language], reader.language, reader.script, key, values)


def text(name: str, key: str, reader: Reader, /, **values: Any) -> str:
    """A text of data/hotline/texts/<name>.yml for this reader."""
    return for_reader(entry(name, key), reader, key, **values)


def numbers_for(reader: Reader) -> dict[str, str]:
    """The emergency numbers and their wording ({police}, {child_helpline_hours}, ...) as
    this reader reads them, for texts that are filled elsewhere (Rasa's responses)."""
    language = "en" if reader.language == "en" else "bcs"
    # in_script leaves English as it is and renders the local language in the reader's script.
    return {key: reader.in_script(value) for key, value in emergency_numbers.placeholders(language).items()}


def for_writer(name: str, key: str, written: str = "", /, **values: Any) -> str:
    """A text for whoever wrote `written`, in their language and script (both languages
    when the message does not tell)."""
    return text(name, key, Reader.of_text(written), **values)
