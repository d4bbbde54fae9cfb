"""The held-out NLU sets must never leak into the training data."""

from pathlib import Path

from bench.nlu import HELDOUT, read_examples, training_texts
from bot.text.scripts import normalize_for_nlu

CONTRACT_INTENTS = {
    "greet",
    "goodbye",
    "affirm",
    "deny",
    "report_incident",
    "urgent_danger",
    "self_harm",
    "ask_resources",
    "check_case",
    "talk_to_person",
    "ask_privacy",
    "help_menu",
    "out_of_scope",
}


def _heldout_files() -> list[Path]:
    return [path for files in HELDOUT.values() for path in files.values() if path.exists()]


def test_no_heldout_message_is_in_the_training_data() -> None:
    training = training_texts()
    leaked = [
        text for path in _heldout_files() for text, _ in read_examples(path) if normalize_for_nlu(text) in training
    ]
    assert leaked == []


def test_heldout_sets_cover_the_contract() -> None:
    examples = [example for path in _heldout_files() for example in read_examples(path)]
    assert len(examples) >= 150
    assert {intent for _, intent in examples} == CONTRACT_INTENTS
