import numpy as np

from bot.nlu.crisis_detector import choose_threshold


def test_threshold_keeps_false_positives_within_the_limit() -> None:
    calm = np.linspace(0.0, 0.99, 100)           # 100 calm scores
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
