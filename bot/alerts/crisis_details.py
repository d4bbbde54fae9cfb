"""What a critical alert adds: what is happening and where, the child's own words, whether
the child may be contacted, and what to do first (data/hotline/texts/first_steps.yml). Never
anything about who the child is.

The words are there because staff cannot act on "something critical, somewhere": on
Telegram in full, by SMS the first sentence or two, at most two segments (or none, with
ALERT_SMS_WITH_WORDS=false)."""

from __future__ import annotations

import re

from sqlalchemy.orm import object_session

from bot.channels.sms_text import size
from bot.followup.texts import label, staff_text
from bot.outbox import store as outbox
from bot.routing.rules_file import load_rules
from bot.settings import sms_alerts_with_words
from bot.storage.models import Case, Municipality, School
from bot.text import catalogue
from bot.text.scripts import normalize_for_nlu

SMS_WORD_SEGMENTS = 2
SMS_WORD_SENTENCES = 2
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


def crisis_kind(case: Case) -> str:
    """weapon, danger or self_harm."""
    if case.crisis_kind == "self_harm":
        return "self_harm"
    weapons = load_rules().weapon_words
    if weapons is not None and weapons.search(normalize_for_nlu(case.description or "")):
        return "weapon"
    return "danger"


def place(case: Case, language: str) -> str:
    """The school and town of a case, as far as they are known."""
    session = object_session(case)
    if session is None:
        return staff_text("place_unknown", language)
    school = session.get(School, case.school_id) if case.school_id else None
    town = session.get(Municipality, case.municipality_id) if case.municipality_id else None
    names = [n for n in (school.name if school else None, town.name if town else None) if n]
    if school and town and town.name in school.name:
        names = [school.name]
    return ", ".join(names) or staff_text("place_unknown", language)


def sms_words(text: str, segments: int = SMS_WORD_SEGMENTS) -> str:
    """The first sentence or two of the child's words that fit in `segments` SMS."""
    kept = ""
    for sentence in _SENTENCE.split(text.strip())[:SMS_WORD_SENTENCES]:
        candidate = f"{kept} {sentence}".strip()
        if size(candidate).segments > segments:
            break
        kept = candidate
    if not kept:  # one long sentence: cut at a word
        for word in text.split():
            candidate = f"{kept} {word}".strip()
            if size(candidate + "…").segments > segments:
                break
            kept = candidate
        kept += "…"
    return kept


def first_step(kind: str, language: str) -> str:
    """What to do first for a crisis kind, from data/hotline/texts/first_steps.yml."""
    return catalogue.text("first_steps", kind, catalogue.Reader.of(language, "latin"))


def contact_label(case: Case, language: str) -> str:
    contact = {True: "yes", False: "no"}.get(case.contact_ok, "unknown")
    return label("contact", contact, language)


def words_line(case: Case, language: str, channel: str, sms_segments: int = SMS_WORD_SEGMENTS) -> str | None:
    """The child's words: in full on Telegram, the first sentence or two by SMS (none
    with ALERT_SMS_WITH_WORDS=false)."""
    words = case.description or ""
    if not words or (channel == outbox.SMS and not sms_alerts_with_words()):
        return None
    shown = words if channel != outbox.SMS else sms_words(words, sms_segments)
    return staff_text("crisis_words", language, words=shown)


def crisis_lines(case: Case, language: str, channel: str) -> list[str]:
    """The lines a critical alert adds, for one responder's language and channel."""
    kind = crisis_kind(case)
    lines = [
        staff_text(
            "crisis_lines",
            language,
            kind=label("crisis_kind", kind, language),
            place=place(case, language),
            contact=contact_label(case, language),
            first_step=first_step(kind, language),
        )
    ]
    words = words_line(case, language, channel)
    return lines + [words] if words else lines
