from itertools import pairwise

from bot.text.sentences import MAX_PIECE_CHARS, SHORT_MESSAGE_CHARS, is_long, pieces, sentences


def test_a_short_message_is_judged_whole() -> None:
    text = "Sad smo u hodniku. Tuku ga."
    assert not is_long(text)
    assert pieces(text) == [text]


def test_a_long_message_is_judged_by_sentences_and_neighbouring_pairs() -> None:
    text = "Danas smo imali test. " * 8 + "Sad smo u hodniku! Tuku ga?\nDošla je nastavnica…  Sve je ok."
    assert is_long(text) and len(text) > SHORT_MESSAGE_CHARS
    parts = sentences(text)
    assert parts[-4:] == ["Sad smo u hodniku!", "Tuku ga?", "Došla je nastavnica…", "Sve je ok."]
    assert "Sad smo u hodniku! Tuku ga?" in pieces(text)
    assert len(pieces(text)) == 2 * len(parts) - 1


def test_a_run_on_sentence_is_cut_into_overlapping_windows() -> None:
    words = [f"rijec{number}" for number in range(200)]
    windows = sentences(" ".join(words))
    assert len(windows) > 1 and all(len(window) <= MAX_PIECE_CHARS for window in windows)
    # Every pair of neighbouring words is together in some window: nothing falls between two.
    assert all(any(f"{a} {b}" in window for window in windows) for a, b in pairwise(words))


def test_a_word_longer_than_a_window_is_kept() -> None:
    assert sentences("a" * 500) == ["a" * 500]
