"""The incident type of a story, learnt from data like the intents.

Trained on the report_incident examples that carry `incident_type` metadata
(data/nlu/incidents_*.yml), plus every example of the other intents as "none", so that a
message that is not a story gets no type. A confident type is added to the parse result
as an `incident_type` entity; the report form takes it as the type of a story.

A long message that the intent classifier was unsure about, or took for a greeting or an
answer, but in which this classifier confidently sees an incident, is a report: its intent
becomes report_incident. That is how "zdravo, dva ucenika me tuku svaki dan" starts a
report instead of being greeted."""

from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import CRISIS_INTENTS, ORIGINAL_TEXT
from bot.nlu.tfidf_classifier import PersistedSklearnComponent, build_pipeline, is_detector_only

MODEL_FILE = "incident_classifier.joblib"
NONE = "none"
ENTITY = "incident_type"
REPORT_INTENT = "report_incident"
# Intents that a story is often mistaken for; a confident incident makes it a report.
PROMOTABLE = ("nlu_fallback", "greet", "inform", "out_of_scope", "affirm", "deny", "choose", "thank")
PROMOTE_MIN_WORDS = 5


def incident_label(message: Message) -> str | None:
    """The incident type a training example is labelled with, "none" for the examples of
    other intents, None for report examples without a label, for crisis examples (they
    tell of incidents too, without saying which type) and for the calm narrative
    sentences that only the crisis detector learns from."""
    if message.get(INTENT) in CRISIS_INTENTS or is_detector_only(message):
        return None
    if message.get(INTENT) != REPORT_INTENT:
        return NONE
    metadata = (message.get("metadata") or {}).get("intent") or {}
    return metadata.get(ENTITY)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class IncidentTypeClassifier(PersistedSklearnComponent):
    MODEL_FILE = MODEL_FILE

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**PersistedSklearnComponent.DEFAULTS, "threshold": 0.35}

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for message in training_data.intent_examples:
            label = incident_label(message)
            if label and message.get(TEXT):
                texts.append(message.get(TEXT))
                labels.append(label)
        return self._persist(build_pipeline(self.config).fit(texts, labels))

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            original = message.get(ORIGINAL_TEXT)
            if not original:  # empty text or a button payload
                continue
            probabilities = self.model.predict_proba([message.get(TEXT)])[0]
            best = int(np.argmax(probabilities))
            label, confidence = str(self.model.classes_[best]), float(probabilities[best])
            if label == NONE or confidence < self.config["threshold"]:
                continue
            entities = list(message.get(ENTITIES, []))
            entities.append(
                {"entity": ENTITY, "value": label, "confidence": confidence, "extractor": type(self).__name__}
            )
            message.set(ENTITIES, entities, add_to_output=True)
            self._promote_story(message, original)
        return messages

    @staticmethod
    def _promote_story(message: Message, original: str) -> None:
        predicted = (message.get(INTENT) or {}).get("name")
        if predicted in CRISIS_INTENTS or predicted not in PROMOTABLE or message.get("command"):
            return
        if len(original.split()) < PROMOTE_MIN_WORDS:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r["name"] != REPORT_INTENT]
        message.set(INTENT, {"name": REPORT_INTENT, "confidence": 1.0}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [{"name": REPORT_INTENT, "confidence": 1.0}] + ranking, add_to_output=True)
