"""A second, binary opinion on every message: crisis or not.

The intent classifier spreads its probability over 19 intents, so an unusual crisis
message can lose to "report_incident" by a little. This detector is trained only to tell
crisis (urgent_danger, self_harm) from everything else, and its threshold is chosen at
training time by cross-validation: the lowest threshold whose false-positive rate on
held-back folds of the training data stays within `max_false_positive_rate`. When it
fires, the message is answered as a crisis whatever the intent classifier said.

A long message (bot.text.sentences) is judged by its sentences, never whole: a TF-IDF
model of a 3,000-character diary sees a blur of every word in it, and length alone must
not add up to a crisis. Each sentence and each pair of neighbouring sentences is scored
against a stricter threshold, chosen the same way for `max_false_positive_rate_sentence`,
because a long text has many sentences and each is a chance to be wrong. The detector
also learns from ordinary narrative sentences (data/nlu/calm_narrative_*.yml) what calm
text that is not a chat message looks like. A whole-message crisis intent on a long text
that no sentence confirms is taken back. The safety net, after this, still looks at every
sentence; the scores left on the message (PIECE_SCORES) tell it where a bare weapon
mention reads as danger.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from numpy.typing import NDArray
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from bot.nlu.components import (
    CRISIS_INTENTS,
    MENTION_THRESHOLD,
    ORIGINAL_TEXT,
    PIECE_SCORES,
    likely_crisis_kind,
    mark_crisis,
    withdraw_crisis,
)
from bot.nlu.tfidf_classifier import PersistedSklearnComponent, build_pipeline, is_detector_only
from bot.text.scripts import normalize_for_nlu
from bot.text.sentences import is_long, pieces

MODEL_FILE = "crisis_detector.joblib"
CRISIS, CALM = "crisis", "calm"


def choose_threshold(
    scores: NDArray[np.float64], is_crisis: NDArray[np.bool_], max_false_positive_rate: float
) -> float:
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
        return {
            **PersistedSklearnComponent.DEFAULTS,
            "max_false_positive_rate": 0.03,
            "max_false_positive_rate_sentence": 0.002,
            "folds": 5,
        }

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        texts = [m.get(TEXT) for m in examples]
        labels = np.array([CRISIS if m.get(INTENT) in CRISIS_INTENTS else CALM for m in examples])
        narrative = np.array([is_detector_only(m) for m in examples])
        folds = StratifiedKFold(self.config["folds"], shuffle=True, random_state=self.config["random_state"])
        probabilities = cross_val_predict(build_pipeline(self.config), texts, labels, cv=folds, method="predict_proba")
        scores = probabilities[:, sorted({CRISIS, CALM}).index(CRISIS)]
        is_crisis = labels == CRISIS
        # Short messages are chat messages: their threshold is set on those alone.
        threshold = choose_threshold(scores[~narrative], is_crisis[~narrative], self.config["max_false_positive_rate"])
        sentence_threshold = max(
            threshold, choose_threshold(scores, is_crisis, self.config["max_false_positive_rate_sentence"])
        )
        pipeline = build_pipeline(self.config).fit(texts, labels)
        return self._persist({"pipeline": pipeline, "threshold": threshold, "sentence_threshold": sentence_threshold})

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            original = message.get(ORIGINAL_TEXT)
            if not original:  # empty text or a button payload
                continue
            if is_long(original):
                self._judge_by_sentences(message, original)
            elif (message.get(INTENT) or {}).get("name") not in CRISIS_INTENTS:
                score = self._scores([message.get(TEXT)])[0]
                if score >= self.model["threshold"]:
                    mark_crisis(
                        message,
                        likely_crisis_kind(message),
                        f"crisis detector: {score:.2f} >= {self.model['threshold']:.2f}",
                    )
        return messages

    def _judge_by_sentences(self, message: Message, original: str) -> None:
        threshold = self.model.get("sentence_threshold", self.model["threshold"])
        parts = pieces(original)
        scores = self._scores([normalize_for_nlu(piece) for piece in parts])
        message.set(PIECE_SCORES, dict(zip(parts, scores.tolist(), strict=True)))
        message.set(MENTION_THRESHOLD, self.model["threshold"])
        best = float(scores.max())
        if best >= threshold:
            mark_crisis(
                message,
                likely_crisis_kind(message),
                f"crisis detector: a sentence scored {best:.2f} >= {threshold:.2f}",
            )
        elif (message.get(INTENT) or {}).get("name") in CRISIS_INTENTS:
            withdraw_crisis(message, f"no sentence is a crisis (best {best:.2f} < {threshold:.2f})")

    def _scores(self, texts: List[str]) -> NDArray[np.float64]:
        pipeline = self.model["pipeline"]
        return pipeline.predict_proba(texts)[:, list(pipeline.classes_).index(CRISIS)]
