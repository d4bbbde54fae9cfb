"""The report form's choices: the buttons each question offers, and which option a typed
answer ("2", "danas", "moja drugarica", a button's title) selects. Options and their words
live in data/hotline/choices.yml; answers in a person's own words are read by
bot.intake.answers on top of this."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import yaml

from bot.cases.report import Report
from bot.paths import DATA_DIR
from bot.text.scripts import normalize_for_nlu, render

SKIP = "skipped"
MIN_DESCRIPTION = 3
MAX_DESCRIPTION = 5000
CHOOSE_INTENT = "choose"


@dataclass(frozen=True)
class Option:
    value: str
    title: dict[str, str]
    words: tuple[str, ...]
    # For change_field: the answers that picking this option clears.
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    slot: str
    options: tuple[Option, ...]
    free_text: bool


@lru_cache(maxsize=1)
def _choices() -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / "choices.yml").read_text(encoding="utf-8"))


def _option(entry: dict[str, Any], value: str | None = None) -> Option:
    return Option(
        value=value or entry["value"],
        title=entry["title"],
        words=tuple(normalize_for_nlu(w) for w in entry["words"]),
        fields=tuple(entry.get("fields") or ()),
    )


@cache
def question(slot: str) -> Question:
    spec = _choices()["questions"][slot]
    options = [_option(o) for o in spec["options"]]
    if spec.get("skip"):
        options.append(_option(_choices()["skip"], SKIP))
    return Question(slot, tuple(options), bool(spec.get("free_text")))


def buttons(slot: str, language: str | None, script: str | None) -> list[dict[str, str]]:
    """Buttons for a question; their payloads select the option whatever the language."""
    language = language if language in ("en", "bcs") else "bcs"
    result = []
    for option in question(slot).options:
        title = option.title[language]
        if language == "bcs":
            title = render(title, script)
        payload = f'/{CHOOSE_INTENT}{{"choice": "{option.value}"}}'
        result.append({"title": title, "payload": payload})
    return result


def _matches(word: str, text: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(word)}", text) is not None


def payload_choice(typed: str) -> str | None:
    """The choice a button payload carries: /choose{"choice": "me"} gives "me"."""
    match = re.fullmatch(rf"/{CHOOSE_INTENT}(\{{.*\}})", typed.strip(), flags=re.S)
    if not match:
        return None
    try:
        choice = json.loads(match.group(1)).get("choice")
    except (ValueError, AttributeError):
        return None
    return str(choice) if choice is not None else None


def interpret(slot: str, typed: str) -> str | None:
    """The option a typed answer selects, the typed text for free-text questions, or None."""
    q = question(slot)
    chosen = payload_choice(typed)
    if chosen is not None and chosen not in [o.value for o in q.options]:
        return None  # an old button of another question
    typed = chosen or typed
    text = normalize_for_nlu(typed)
    if not text:
        return None
    values = [o.value for o in q.options]
    titled = option_titled(slot, text)
    if titled:
        return titled
    number = re.fullmatch(r"(?:broj |opcija |option |no\.? )?(\d{1,2})\.?", text)
    if number:
        index = int(number.group(1)) - 1
        return values[index] if 0 <= index < len(values) else None
    if text in values:
        return text
    # Prefer the option with the longest matching word: "nesto drugo" over "drugo".
    best = max(
        ((len(w), o.value) for o in q.options for w in o.words if _matches(w, text)),
        default=None,
    )
    if best:
        return best[1]
    return typed.strip()[:200] if q.free_text else None


def option_titled(slot: str, folded: str) -> str | None:
    """The option whose button title, in either language, is exactly what was typed."""
    folded = folded.strip(" .!")
    for option in question(slot).options:
        if any(normalize_for_nlu(title) == folded for title in option.title.values()):
            return option.value
    return None


def summary_label(key: str, language: str | None) -> str:
    return _choices()["summary_labels"][key]["en" if language == "en" else "bcs"]


def title_of(slot: str, value: str, language: str | None) -> str | None:
    """The button title of an option, in the reader's language (Latin)."""
    for option in question(slot).options:
        if option.value == value:
            return option.title["en" if language == "en" else "bcs"]
    return None


def report_from_slots(slots: dict[str, Any], channel: str | None) -> Report:
    """The fields of a case from the form's slots; skipped answers are stored as unknown."""

    def known(name: str) -> Any:
        value = slots.get(name)
        return None if value in (None, SKIP) else value

    contact = known("contact_ok")
    return Report(
        incident_type=known("incident_type"),
        discrimination_ground=known("discrimination_ground"),
        affected=known("affected"),
        reporter_role=known("reporter_role"),
        school_id=slots.get("school_id"),
        municipality_id=slots.get("municipality_id"),
        incident_time=known("incident_time"),
        description=known("description"),
        danger_now=known("danger_now"),
        contact_ok=None if contact is None else contact == "yes",
        # Consent to mobile legal aid: True or False when it was asked, None when it was not.
        legal_aid_ok={"yes": True, "no": False}.get(slots.get("legal_aid_ok") or ""),
        language=slots.get("language") or "bcs",
        script=slots.get("script") or "latin",
        channel=channel,
    )
