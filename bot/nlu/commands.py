"""Typed menu titles and one-word openings ("Prijavi nešto", "prijava", "report",
"pomoć") mean what they say, whatever the intent classifier thinks of so few words, and
a message with a case code in it is a check-in.

The phrases are in data/hotline/commands.yml. A match sets the intent with confidence 1
and adds `command` (the intent) to the parse result, so that the report conversation can
tell a typed menu title from an answer. The crisis safety net runs after this component."""

from __future__ import annotations

import re
from functools import lru_cache

import yaml
from rapidfuzz.distance import Levenshtein
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.cases.codes import names_a_case
from bot.nlu.components import ORIGINAL_TEXT, SAFETY_NET, _StatelessComponent
from bot.paths import DATA_DIR
from bot.text.scripts import normalize_for_nlu

COMMAND = "command"
COMMANDS_FILE = DATA_DIR / "commands.yml"
TYPO_MIN_LENGTH = 6


def fold_command(text: str) -> str:
    """The form phrases are compared in: folded, without punctuation or extra spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w/ ]+", " ", normalize_for_nlu(text))).strip()


@lru_cache(maxsize=1)
def command_phrases() -> dict[str, str]:
    """Each folded phrase and the intent it means."""
    data = yaml.safe_load(COMMANDS_FILE.read_text(encoding="utf-8"))
    return {fold_command(phrase): intent for intent, phrases in data.items() for phrase in phrases}


CASE_CODE_INTENT = "check_case"


def command_intent(text: str) -> str | None:
    """The intent a whole message means as a command, or None. A message with a case
    code in it ("JS-5DXB-FN5M 969119", "checking my report js5dxbfn5m") is a check-in."""
    folded = fold_command(text)
    if not folded:
        return None
    if names_a_case(text):
        return CASE_CODE_INTENT
    phrases = command_phrases()
    if folded in phrases:
        return phrases[folded]
    if len(folded) >= TYPO_MIN_LENGTH:
        for phrase, intent in phrases.items():
            if len(phrase) >= TYPO_MIN_LENGTH and Levenshtein.distance(folded, phrase) <= 1:
                return intent
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CommandMatcher(_StatelessComponent):
    """Sets the intent of a message that is a known command phrase."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(ORIGINAL_TEXT)
            if not text:
                continue
            intent = command_intent(text)
            if intent is None:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r["name"] != intent]
            message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}] + ranking, add_to_output=True)
            message.set(COMMAND, intent, add_to_output=True)
            # A crisis detector's guess on a bare "help" is not evidence of a crisis; the
            # safety net, which runs next, still catches crisis words.
            message.set(SAFETY_NET, None, add_to_output=True)
        return messages
