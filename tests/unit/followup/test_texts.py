import re
import string

import pytest
import yaml

from bot.followup.texts import (
    REPORTER_FILE,
    STAFF_FILE,
    is_menu_word,
    label,
    menu_words,
    reporter_text,
    staff_text,
    text_keys,
)
from bot.paths import DATA_DIR
from bot.text.catalogue import TEXTS_DIR
from bot.text.scripts import normalize_for_nlu

REPORTER_PLACEHOLDERS = {
    "staff_message": {"code", "text"},
    "checkin_messages": {"code", "count"},
    "reply_hint": set(),
    "answer_forwarded": {"code"},
    "window_closed": set(),
    "acknowledged": {"code"},
    "crisis_seen_school": {"police"},
    "crisis_seen": {"police"},
    "status_in_progress": {"code"},
    "outcome_acted_on": {"code"},
    "outcome_referred": {"code"},
    "outcome_no_action": {"code"},
    "outcome_duplicate": {"code"},
    "outcome_false_report": {"code"},
    "deadline": {"deadline"},
}
STAFF_PLACEHOLDERS = {
    "alert": {"code", "school", "type", "severity", "deadline"},
    "escalation_prefix": {"step"},
    "reminder_prefix": {"round", "sent_to"},
    "reminder_added": {"names"},
    "reminder_same": {"names"},
    "ack_hint_sms": {"code"},
    "ack_button": set(),
    "crisis_lines": {"kind", "place", "contact", "first_step"},
    "crisis_words": {"words"},
    "crisis_message": {"code", "text"},
    "place_unknown": set(),
    "storm_header": {"open", "minutes", "listed"},
    "storm_case": {"number", "code", "reminder", "kind", "place", "contact", "deadline"},
    "storm_reminder": set(),
    "storm_first_step": {"kind", "first_step"},
    "storm_ack_hint_sms": {"code"},
    "storm_ack_button": {"code"},
    "acknowledged": {"code"},
    "already_acknowledged": {"code", "who"},
    "reporter_answer": {"code", "text"},
    "reply_sent": {"code"},
    "reply_waiting": {"code"},
    "unknown_case": {"code"},
    "not_enrolled": set(),
    "enrolled": {"name"},
    "help": set(),
    "no_school": set(),
    "town_schools": {"town"},
    "assigned": {"by", "code"},
}
# Realistic values: a case code, a counsellor's message of 80 characters, a deadline.
VALUES = {
    "code": "K7Q-4HD",
    "count": 3,
    "deadline": "28.11.2026. u 10:15",
    "text": ("Hvala ti što si nam pisao/la. Možeš li reći u kojem se dijelu škole to dešava?")[:80].ljust(80, "."),
    "school": "OŠ Uzorak 1 Livno",
    "type": "Nasilje u porodici",
    "severity": "visoka",
    "step": 2,
    "who": "Amra H., pedagoginja",
    "name": "Amra H.",
    "by": "Uzorak Koordinator Kanton 10",
    "police": "122",
}
READERS = [("bcs", "cyrillic", False), ("bcs", "latin", True), ("en", "latin", True)]


def _raw(name: str) -> dict:
    return yaml.safe_load((TEXTS_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("name, expected", [(REPORTER_FILE, REPORTER_PLACEHOLDERS), (STAFF_FILE, STAFF_PLACEHOLDERS)])
def test_every_key_exists_in_both_languages_with_the_same_placeholders(name, expected) -> None:
    texts = _raw(name)
    assert set(text_keys(name)) == set(expected)
    for key, fields in expected.items():
        assert set(texts[key]) == {"en", "bcs"}, key
        for language in ("en", "bcs"):
            assert texts[key][language].strip(), (key, language)
            assert _placeholders(texts[key][language]) == fields, (key, language)


def test_labels_cover_every_severity_and_incident_type_in_both_languages() -> None:
    texts = _raw(STAFF_FILE)
    choices = yaml.safe_load((DATA_DIR / "choices.yml").read_text(encoding="utf-8"))
    types = {o["value"] for o in choices["questions"]["incident_type"]["options"]}
    assert set(texts["severity"]) == {"critical", "high", "medium", "low"}
    assert set(texts["incident_type"]) == types | {"unknown"}
    for kind in ("severity", "incident_type"):
        for value, names in texts[kind].items():
            assert set(names) == {"en", "bcs"} and all(names.values()), (kind, value)
    assert label("incident_type", "home", "en") == "Violence at home"
    assert label("severity", "critical", None) == "KRITIČNA"


def test_every_reporter_text_fits_the_default_sms_budget() -> None:
    """The same check as the domain's replies get (tests/unit/text/test_nlg.py)."""
    from bot.channels.sms_text import prepare, split_for_sms
    from bot.settings import sms_max_segments

    for key in REPORTER_PLACEHOLDERS:
        for language, script, fold in READERS:
            text = reporter_text(key, language, script, **VALUES)
            _, dropped = split_for_sms(prepare(text, fold), sms_max_segments())
            assert dropped == [], (key, language, script)
            assert len(text) <= 320, (key, language, script)


def test_the_report_confirmation_with_its_deadline_fits_the_sms_budget() -> None:
    from rasa.shared.core.domain import Domain

    from bot.channels.sms_text import prepare, split_for_sms
    from bot.paths import PROJECT_DIR
    from bot.settings import sms_max_segments
    from bot.text.nlg import HotlineNLG

    nlg = HotlineNLG(domain=Domain.load(str(PROJECT_DIR / "domain.yml")))
    for language, script, fold in READERS:
        deadline = "28 Nov 2026, 10:15" if language == "en" else "28.11.2026. u 10:15"
        reply = nlg.generate_from_slots(
            "utter_report_submitted",
            {"language": language, "script": script},
            "sms",
            code="JS-7F3Q-9K2M",
            pin="123456",
            deadline=deadline,
        )
        text = reply["text"]
        assert "JS-7F3Q-9K2M" in text and "123456" in text and deadline in text, text
        _, dropped = split_for_sms(prepare(text, fold), sms_max_segments())
        assert dropped == [], (language, script)


def test_cyrillic_readers_get_cyrillic_with_values_untouched() -> None:
    text = reporter_text("staff_message", "bcs", "cyrillic", code="K7Q-4HD", text="Kako si danas?")
    assert text.startswith("Порука од педагога") and "K7Q-4HD" in text
    assert "Kako si danas?" in text  # the counsellor's own words stay as written
    assert "ИЗБОРНИК" in text and normalize_for_nlu("ИЗБОРНИК") in menu_words()
    assert reporter_text("acknowledged", "bcs", "latin", code="K7Q-4HD").startswith("Pedagog ili psiholog")
    english = reporter_text("acknowledged", "en", "cyrillic", code="K7Q-4HD")
    assert english.startswith("A counsellor") and not re.search(r"[\u0400-\u04FF]", english)
    assert reporter_text("window_closed", None, None).startswith("U redu")


def test_staff_texts_are_latin_and_never_about_the_reporter() -> None:
    alert = staff_text("alert", "bcs", **VALUES)
    assert alert.count("\n") >= 4 and "K7Q-4HD" in alert and "28.11.2026. u 10:15" in alert
    assert staff_text("escalation_prefix", "en", step=2) == "NOT ACKNOWLEDGED IN TIME – escalation, step 2"
    assert "OK K7Q-4HD" in staff_text("ack_hint_sms", "en", code="K7Q-4HD")
    for language in ("en", "bcs"):
        assert "/reply" in staff_text("help", language) and "OK" in staff_text("help", language)


def test_no_phone_numbers_in_the_texts() -> None:
    """Numbers live in contacts.yml, so that the deploying organisation edits one file
    (the texts name them by placeholder: {police})."""
    phone = re.compile(r"\+?\d[\d /-]{1,}\d")
    for name in (REPORTER_FILE, STAFF_FILE):
        raw = (TEXTS_DIR / f"{name}.yml").read_text(encoding="utf-8")
        assert not phone.search(raw), (name, phone.search(raw))


def test_menu_words_are_stored_as_compared() -> None:
    words = menu_words()
    assert {"izbornik", "meni", "menu", "pocetak", "start over"} <= words
    assert all(w == normalize_for_nlu(w) for w in _raw(REPORTER_FILE)["menu_words"])
    assert is_menu_word("Izbornik!") and is_menu_word("МЕНИ") and is_menu_word("  Start over. ")
    assert not is_menu_word("hvala, razumijem") and not is_menu_word("menu je loš u kantini")
    words.add("changed")
    assert "changed" not in menu_words()  # a copy, the cache stays as loaded


def test_a_missing_key_or_value_is_named() -> None:
    with pytest.raises(KeyError, match="no text 'nope' in data/hotline/texts/followup.yml"):
        reporter_text("nope", "en", None)
    with pytest.raises(KeyError, match="no text 'menu_words'"):
        reporter_text("menu_words", "en", None)
    with pytest.raises(KeyError, match="data/hotline/texts/alerts.yml"):
        staff_text("nope", "bcs")
    with pytest.raises(KeyError, match=r"needs a value for \{code\}"):
        reporter_text("acknowledged", "bcs", "latin")
    with pytest.raises(KeyError, match="no incident_type label 'war'"):
        label("incident_type", "war", "en")
    with pytest.raises(KeyError, match="no labels 'colour'"):
        label("colour", "red", "en")
