import numpy as np

from bot.nlu.crisis_detector import choose_threshold


def test_threshold_keeps_false_positives_within_the_limit() -> None:
    calm = np.linspace(0.0, 0.99, 100)  # 100 calm scores
    crisis = np.array([0.5, 0.97, 0.98, 0.999])
    scores = np.concatenate([calm, crisis])
    is_crisis = np.array([False] * 100 + [True] * 4)
    threshold = choose_threshold(scores, is_crisis, 0.03)
    assert np.sum(calm >= threshold) <= 3
    assert np.sum(calm >= threshold - 0.011) > 3  # and it is no stricter than it must be
    assert np.all(crisis[1:] >= threshold)


def test_zero_tolerance_sits_above_every_calm_score() -> None:
    scores = np.array([0.1, 0.2, 0.8])
    threshold = choose_threshold(scores, np.array([False, False, True]), 0.0)
    assert 0.2 < threshold <= 0.8


def test_calm_narrative_examples_are_for_the_detector_only() -> None:
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.incident_classifier import incident_label
    from bot.nlu.tfidf_classifier import labelled_texts

    chat = Message(data={TEXT: "zdravo", INTENT: "greet"})
    narrative = Message(
        data={TEXT: "baka je narezala kruh", INTENT: "out_of_scope", "metadata": {"intent": {"detector_only": True}}}
    )
    assert labelled_texts(TrainingData([chat, narrative])) == (["zdravo"], ["greet"])
    assert incident_label(narrative) is None and incident_label(chat) == "none"
