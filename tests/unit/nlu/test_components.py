"""The custom NLU components on their own (the trained pipeline is tested in e2e/)."""

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import (
    MENTION_THRESHOLD,
    PIECE_SCORES,
    CrisisSafetyNet,
    LanguageDetector,
    OriginalTextRestorer,
    TextNormalizer,
    withdraw_crisis,
)
from bot.text.sentences import pieces


def _run(text: str, intent: str = "greet", confidence: float = 0.9) -> Message:
    message = Message(data={TEXT: text})
    TextNormalizer().process([message])
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    for component in (LanguageDetector(), CrisisSafetyNet(), OriginalTextRestorer()):
        component.process([message])
    return message


def test_normaliser_changes_only_what_featurizers_see() -> None:
    message = Message(data={TEXT: "Ђак ЖЕЛИ помоћ"})
    TextNormalizer().process([message])
    assert message.get(TEXT) == "djak zeli pomoc"
    OriginalTextRestorer().process([message])
    assert message.get(TEXT) == "Ђак ЖЕЛИ помоћ"


def test_normaliser_also_prepares_training_data() -> None:
    data = TrainingData([Message(data={TEXT: "Šta ĆUTIŠ", INTENT: "greet"})])
    TextNormalizer().process_training_data(data)
    assert data.training_examples[0].get(TEXT) == "sta cutis"


def test_button_payloads_pass_untouched() -> None:
    message = _run('/choose{"choice": "me"}', intent="choose")
    assert message.get(TEXT) == '/choose{"choice": "me"}'
    assert message.get(ENTITIES, []) == []


def test_language_and_script_entities() -> None:
    entities = {e["entity"]: e["value"] for e in _run("Здраво, треба ми помоћ").get(ENTITIES)}
    assert entities == {"language": "bcs", "script": "cyrillic"}
    entities = {e["entity"]: e["value"] for e in _run("hello, I need help").get(ENTITIES)}
    assert entities == {"language": "en", "script": "latin"}
    assert _run("ok").get(ENTITIES) == []


def test_safety_net_overrides_a_missed_crisis() -> None:
    message = _run("mislim o samoubistvu", intent="ask_resources", confidence=0.8)
    assert message.get(INTENT) == {"name": "self_harm", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "self_harm"
    assert message.get("safety_net")["overrode"] == "ask_resources"


def test_safety_net_leaves_crisis_predictions_and_ordinary_messages_alone() -> None:
    assert _run("he has a knife", intent="self_harm").get(INTENT)["name"] == "self_harm"
    assert _run("zadirkuju me", intent="report_incident").get(INTENT)["name"] == "report_incident"


def test_an_unsure_crisis_is_not_hidden_by_the_fallback() -> None:
    message = Message(data={TEXT: "nesto cudno"})
    TextNormalizer().process([message])
    message.set(INTENT, {"name": "nlu_fallback", "confidence": 0.8})
    message.set(
        INTENT_RANKING_KEY,
        [
            {"name": "nlu_fallback", "confidence": 0.8},
            {"name": "self_harm", "confidence": 0.19},
            {"name": "greet", "confidence": 0.1},
        ],
    )
    CrisisSafetyNet().process([message])
    assert message.get(INTENT)["name"] == "self_harm"


DIARY = (
    "Danas smo imali test iz matematike i mislim da je prošao dobro. " * 3
    + "Baka je izvadila nož za kruh i narezala pogaču. Poslije smo gledali film."
)


def _long(text: str, scores: dict[str, float] | None, intent: str = "report_incident") -> Message:
    message = Message(data={TEXT: text})
    TextNormalizer().process([message])
    message.set(INTENT, {"name": intent, "confidence": 0.9})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.9}, {"name": "greet", "confidence": 0.05}])
    if scores is not None:
        message.set(PIECE_SCORES, scores)
        message.set(MENTION_THRESHOLD, 0.4)
    CrisisSafetyNet().process([message])
    return message


def test_a_weapon_named_in_a_calm_long_text_is_not_a_crisis() -> None:
    calm = {piece: 0.05 for piece in pieces(DIARY)}
    assert _long(DIARY, calm).get(INTENT)["name"] == "report_incident"


def test_a_weapon_in_a_sentence_that_reads_as_danger_is_a_crisis() -> None:
    danger = {piece: (0.9 if "nož" in piece else 0.05) for piece in pieces(DIARY)}
    assert _long(DIARY, danger).get(INTENT)["name"] == "urgent_danger"
    # Without the detector's scores the net does not take the chance.
    assert _long(DIARY, None).get(INTENT)["name"] == "urgent_danger"


def test_a_danger_said_outright_counts_in_any_sentence_of_a_long_text() -> None:
    text = DIARY + " Ne želim više živjeti. " + DIARY
    calm = {piece: 0.05 for piece in pieces(text)}
    assert _long(text, calm).get(INTENT)["name"] == "self_harm"


def test_a_danger_said_outright_names_the_kind_over_an_earlier_weapon_mention() -> None:
    text = DIARY + " Ne želim više živjeti."
    danger = {piece: 0.9 for piece in pieces(text)}  # the bread knife's sentence reads as danger too
    assert _long(text, danger).get(INTENT)["name"] == "self_harm"


def test_the_fallback_rule_is_for_short_messages_only() -> None:
    message = Message(data={TEXT: DIARY.replace("nož za kruh", "tanjir")})
    TextNormalizer().process([message])
    message.set(INTENT, {"name": "nlu_fallback", "confidence": 0.8})
    message.set(
        INTENT_RANKING_KEY, [{"name": "nlu_fallback", "confidence": 0.8}, {"name": "self_harm", "confidence": 0.19}]
    )
    CrisisSafetyNet().process([message])
    assert message.get(INTENT)["name"] == "nlu_fallback"


def test_a_crisis_no_sentence_bears_out_gives_way_to_the_next_intent() -> None:
    message = Message(data={TEXT: DIARY})
    message.set(INTENT, {"name": "urgent_danger", "confidence": 0.7})
    message.set(
        INTENT_RANKING_KEY,
        [
            {"name": "urgent_danger", "confidence": 0.7},
            {"name": "self_harm", "confidence": 0.2},
            {"name": "report_incident", "confidence": 0.1},
        ],
    )
    withdraw_crisis(message, "no sentence is a crisis")
    assert message.get(INTENT) == {"name": "report_incident", "confidence": 0.1}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["report_incident"]
    assert message.get("crisis_withdrawn")["intent"] == "urgent_danger"
