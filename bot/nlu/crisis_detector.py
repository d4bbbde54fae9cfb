"""A second, binary opinion on every message: crisis or not.

The intent classifier spreads its probability over 19 intents, so an unusual crisis
message can lose to "report_incident" by a little. This detector is trained only to tell
crisis (urgent_danger, self_harm) from everything else, and its threshold is chosen at
training time by cross-validation: the lowest threshold whose false-positive rate on
held-back folds of the training data stays within `max_false_positive_rate`. When it
fires, the message is answered as a crisis whatever the intent classifier said.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from bot.nlu.components import CRISIS_INTENTS, ORIGINAL_TEXT, likely_crisis_kind, mark_crisis
from bot.nlu.tfidf_classifier import PersistedSklearnComponent, build_pipeline, labelled_texts

MODEL_FILE = "crisis_detector.joblib"
CRISIS, CALM = "crisis", "calm"


def choose_threshold(scores: np.ndarray, is_crisis: np.ndarray, max_false_positive_rate: float) -> float:
    """The lowest score threshold whose false-positive rate stays within the limit."""
    calm_scores = np.sort(scores[~is_crisis])[::-1]
    allowed = int(np.floor(max_false_positive_rate * len(calm_scores)))
    # Scores above the (allowed+1)-th highest calm score fire on at most `allowed` calm ones.
    return float(calm_scores[allowed]) + 1e-9 if allowed < len(calm_scores) else 0.0


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisDetector(PersistedSklearnComponent):
    MODEL_FILE = MODEL_FILE

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**PersistedSklearnComponent.DEFAULTS, "max_false_positive_rate": 0.03, "folds": 5}

    def train(self, training_data: TrainingData) -> Resource:
        texts, intents = labelled_texts(training_data)
        labels = np.array([CRISIS if intent in CRISIS_INTENTS else CALM for intent in intents])
        folds = StratifiedKFold(self.config["folds"], shuffle=True, random_state=self.config["random_state"])
        probabilities = cross_val_predict(build_pipeline(self.config), texts, labels, cv=folds,
                                          method="predict_proba")
        crisis_column = sorted({CRISIS, CALM}).index(CRISIS)
        threshold = choose_threshold(probabilities[:, crisis_column], labels == CRISIS,
                                     self.config["max_false_positive_rate"])
        pipeline = build_pipeline(self.config).fit(texts, labels)
        return self._persist({"pipeline": pipeline, "threshold": threshold})

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        pipeline, threshold = self.model["pipeline"], self.model["threshold"]
        crisis_column = list(pipeline.classes_).index(CRISIS)
        for message in messages:
            if not message.get(ORIGINAL_TEXT):  # empty text or a button payload
                continue
            if (message.get(INTENT) or {}).get("name") in CRISIS_INTENTS:
                continue
            score = float(pipeline.predict_proba([message.get(TEXT)])[0][crisis_column])
            if score >= threshold:
                mark_crisis(message, likely_crisis_kind(message),
                            f"crisis detector: {score:.2f} >= {threshold:.2f}")
        return messages
