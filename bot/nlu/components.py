"""Rasa NLU graph components for the hotline.

Pipeline order in config.yml:
  TextNormalizer -> tokenizer, featurizers, classifier, fallback -> LanguageDetector
  -> CrisisSafetyNet -> OriginalTextRestorer
The normaliser rewrites the text the featurizers see (one Latin, folded form for all
scripts); the restorer puts back what the user wrote, so parse results and button
payloads carry the original text.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.safety_net import CrisisMatch, SafetyNet, default_safety_net
from bot.text.language import detect_language
from bot.text.scripts import detect_script, normalize_for_nlu
from bot.text.sentences import is_long

ORIGINAL_TEXT = "original_text"
SAFETY_NET = "safety_net"
CRISIS_WITHDRAWN = "crisis_withdrawn"
# Set by the crisis detector on a long message for the safety net after it (not output):
# each piece's crisis score, and the score from which a weapon mention counts.
PIECE_SCORES, MENTION_THRESHOLD = "crisis_piece_scores", "crisis_mention_threshold"
CRISIS_INTENTS = ("urgent_danger", "self_harm")
FALLBACK_INTENT = "nlu_fallback"


def _is_payload(text: str) -> bool:
    # Buttons send "/intent{...}" payloads; Rasa's regex handler reads them verbatim.
    return text.startswith("/")


class _StatelessComponent(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormalizer(_StatelessComponent):
    """Cyrillic to Latin, diacritics folded, case folded: only for featurisation."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message)
        return messages

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if not text or _is_payload(text):
            return
        message.set(ORIGINAL_TEXT, text)
        message.set(TEXT, normalize_for_nlu(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(_StatelessComponent):
    """Adds `language` (en/bcs) and `script` (latin/cyrillic) entities when the message
    shows them; ambiguous messages add nothing so the conversation keeps its language."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(ORIGINAL_TEXT)
            if not text:
                continue
            entities = list(message.get(ENTITIES, []))
            language = detect_language(text)
            if language:
                entities.append(self._entity("language", language))
                script = (detect_script(text) or "latin") if language == "bcs" else "latin"
                entities.append(self._entity("script", script))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    @staticmethod
    def _entity(name: str, value: str) -> Dict[Text, Any]:
        return {"entity": name, "value": value, "extractor": "LanguageDetector"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisSafetyNet(_StatelessComponent):
    """Overrides a non-crisis prediction when the message carries high-risk words."""

    def process(self, messages: List[Message]) -> List[Message]:
        net = default_safety_net()
        for message in messages:
            text = message.get(ORIGINAL_TEXT)
            if not text:
                continue
            predicted = (message.get(INTENT) or {}).get("name")
            if predicted in CRISIS_INTENTS:
                continue
            match = _long_message_match(message, net, text) if is_long(text) else net.check(text)
            if match is not None:
                mark_crisis(message, match.kind, f"safety net: {match.evidence}")
            elif predicted == FALLBACK_INTENT and not is_long(text):
                # An unsure crisis is still a crisis: the fallback never hides one. (A long
                # message's crisis is in its sentences, which the detector has judged.)
                ranking = message.get(INTENT_RANKING_KEY, [])
                runner_up = ranking[1]["name"] if len(ranking) > 1 else None
                if runner_up in CRISIS_INTENTS:
                    mark_crisis(message, runner_up, "low-confidence crisis")
        return messages


def _long_message_match(message: Message, net: SafetyNet, text: str) -> CrisisMatch | None:
    """What the net finds in a long message's sentences: a danger said outright first (it
    also names the kind: self-harm or danger), else a bare weapon mention where the crisis
    detector scored that sentence as a short message's crisis (PIECE_SCORES); without a
    detector, any mention counts."""
    scores = message.get(PIECE_SCORES) or {}
    threshold = message.get(MENTION_THRESHOLD)
    found = net.matches(text)
    outright = next((match for _, match in found if not match.mention), None)
    if outright is not None:
        return outright
    for piece, match in found:
        score = scores.get(piece)
        if threshold is None or score is None or score >= threshold:
            return match
    return None


def mark_crisis(message: Message, kind: str, evidence: str) -> None:
    """Make a crisis intent the prediction, and record why for the audit trail."""
    predicted = (message.get(INTENT) or {}).get("name")
    message.set(INTENT, {"name": kind, "confidence": 1.0}, add_to_output=True)
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r["name"] != kind]
    message.set(INTENT_RANKING_KEY, [{"name": kind, "confidence": 1.0}] + ranking, add_to_output=True)
    message.set(SAFETY_NET, {"kind": kind, "evidence": evidence, "overrode": predicted}, add_to_output=True)


def withdraw_crisis(message: Message, reason: str) -> None:
    """A crisis intent that the message's sentences do not bear out gives way to the best
    other intent (a long story is a report, not a crisis, until a sentence says so)."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r["name"] not in CRISIS_INTENTS]
    withdrawn = (message.get(INTENT) or {}).get("name")
    message.set(INTENT, ranking[0] if ranking else {"name": FALLBACK_INTENT, "confidence": 0.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    message.set(CRISIS_WITHDRAWN, {"intent": withdrawn, "reason": reason}, add_to_output=True)


def likely_crisis_kind(message: Message) -> str:
    """The crisis intent the classifier ranked higher (self-harm when it ranked neither)."""
    for entry in message.get(INTENT_RANKING_KEY, []):
        if entry["name"] in CRISIS_INTENTS:
            return entry["name"]
    return "self_harm"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OriginalTextRestorer(_StatelessComponent):
    """Puts back the text the user wrote once the pipeline no longer needs the folded one."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            original = message.get(ORIGINAL_TEXT)
            if original:
                message.set(TEXT, original)
        return messages
