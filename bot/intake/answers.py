"""What a typed answer to one question of the report means, in the person's own words:
a button's payload or title, its number, "ne želim reći", "može", "ja sam mama", "not
really, I'm at home now". Returns an option's value, SKIP, or None when the text does not
answer the question."""

from __future__ import annotations

import re

from bot.intake import choices, patterns
from bot.intake.choices import SKIP

# Questions answered with yes or no, and those whose answer can be read from a phrase.
YES_NO_QUESTIONS = frozenset({"danger_now", "contact_ok", "legal_aid_ok", "resume_draft", "discard_confirm"})
PHRASE_QUESTIONS = frozenset({"affected", "reporter_role", "incident_time", "danger_now", "confirm"})
# Option words are stems that also occur inside stories ("pol", "ver"): they are matched
# only in short answers, except for the type and the time, whose words say just that.
STORY_WORDS = 6


def _skippable(slot: str) -> bool:
    if slot in ("school", "description"):
        return True
    return any(option.value == SKIP for option in choices.question(slot).options)


def answer(slot: str, text: str) -> str | None:
    """The value a typed answer gives the question `slot`, or None."""
    payload = choices.payload_choice(text)
    if payload is not None:
        if slot == "school":
            return SKIP if payload == SKIP else None  # a town's button: found by its name
        return None if slot == "description" else choices.interpret(slot, text)
    folded = patterns.fold(text)
    if not folded:
        return None
    if _skippable(slot) and patterns.says("skip", folded, folded=True):
        return SKIP
    if slot in ("school", "description"):
        return None  # read by the directory look-up and the description rules
    titled = choices.option_titled(slot, folded)
    if titled:
        return titled
    if re.fullmatch(r"\d{1,2}\.?", folded):
        return choices.interpret(slot, text)  # an option's number
    if slot in YES_NO_QUESTIONS | {"confirm"} and patterns.says("question", folded, folded=True):
        return None  # "da li će znati ko sam?" asks something; it says neither yes nor no
    if slot in PHRASE_QUESTIONS:
        phrase = patterns.value_in(slot, folded, folded=True)
        if phrase:
            return phrase
    if slot in YES_NO_QUESTIONS:
        said = patterns.value_in("yes_no", folded, folded=True)
        if said:
            return said
    if slot == "confirm":
        return None  # only its phrases: "don't send it" has the word "send" in it
    if len(folded.split()) > STORY_WORDS and slot not in ("incident_time", "incident_type"):
        return None  # a story, not an answer: bot.intake.extraction reads it
    chosen = choices.interpret(slot, text)
    return chosen


def is_yes_no_word(text: str) -> bool:
    """A bare yes, no or skip: an answer to something, never a description."""
    folded = patterns.fold(text)
    return len(folded.split()) <= 3 and (
        patterns.value_in("yes_no", folded, folded=True) is not None or patterns.says("skip", folded, folded=True)
    )
