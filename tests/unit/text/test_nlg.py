import pytest
from rasa.shared.core.domain import Domain

from bot.paths import PROJECT_DIR
from bot.text.nlg import HotlineNLG, render_response


@pytest.fixture(scope="module")
def nlg() -> HotlineNLG:
    return HotlineNLG(domain=Domain.load(str(PROJECT_DIR / "domain.yml")))


def _text(nlg: HotlineNLG, name: str, language, script, **kwargs) -> str:
    response = nlg.generate_from_slots(name, {"language": language, "script": script}, "rest", **kwargs)
    return response["text"]


def test_numbers_come_from_the_contacts_file(nlg: HotlineNLG) -> None:
    text = _text(nlg, "utter_crisis_self_harm", "en", "latin")
    assert "080 05 03 05" in text and "124" in text and "122" in text and "weekdays 9-17" in text


def test_default_language_is_the_local_one(nlg: HotlineNLG) -> None:
    assert _text(nlg, "utter_goodbye", None, None).startswith("Čuvaj se")
    assert _text(nlg, "utter_goodbye", "bcs", "latin").startswith("Čuvaj se")
    assert _text(nlg, "utter_goodbye", "en", "latin").startswith("Take care")


def test_cyrillic_readers_get_cyrillic_with_codes_untouched(nlg: HotlineNLG) -> None:
    text = _text(
        nlg,
        "utter_report_submitted",
        "bcs",
        "cyrillic",
        code="JS-7F3Q-9K2M",
        pin="482913",
        deadline="28.11.2026. у 10:15",
    )
    assert text.startswith("Хвала ти.") and "JS-7F3Q-9K2M" in text and "482913" in text
    assert "28.11.2026. у 10:15" in text
    crisis = _text(nlg, "utter_crisis_self_harm", "bcs", "cyrillic")
    assert "Плави телефон" in crisis and "080 05 03 05" in crisis and "радним данима" in crisis


def test_button_titles_are_rendered_too(nlg: HotlineNLG) -> None:
    response = nlg.generate_from_slots("utter_greet", {"language": "bcs", "script": "cyrillic"}, "rest")
    titles = [b["title"] for b in response["buttons"]]
    assert "Пријави нешто" in titles and "English" in titles
    assert all(b["payload"].startswith("/") for b in response["buttons"])


def test_english_is_never_transliterated() -> None:
    response = {"text": "Hello", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
    assert render_response(response, "en", "cyrillic") == response


def test_every_response_has_both_languages(nlg: HotlineNLG) -> None:
    for name, variations in nlg.responses.items():
        conditioned = [v for v in variations if v.get("condition")]
        default = [v for v in variations if not v.get("condition")]
        assert conditioned and default, name


def test_every_reply_fits_the_default_sms_budget(nlg: HotlineNLG) -> None:
    """No reply (crisis answers above all) is cut on SMS, in any language or script."""
    from bot.channels.sms import numbered
    from bot.channels.sms_text import prepare, split_for_sms
    from bot.settings import sms_max_segments

    readers = [("bcs", "cyrillic", False), ("bcs", "latin", True), ("en", "latin", True)]
    for name in nlg.responses:
        for language, script, fold in readers:
            reply = nlg.generate_from_slots(
                name,
                {"language": language, "script": script},
                "sms",
                code="JS-7F3Q-9K2M",
                pin="123456",
                update="x" * 40,
            )
            text = numbered(reply.get("text") or "", reply.get("buttons") or [])
            _, dropped = split_for_sms(prepare(text, fold), sms_max_segments())
            assert dropped == [], (name, language, script)


async def _sends(nlg: HotlineNLG, name: str, times: int, language: str = "en") -> list[str]:
    from rasa.shared.core.domain import Domain as _Domain
    from rasa.shared.core.events import BotUttered, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = _Domain.load(str(PROJECT_DIR / "domain.yml"))
    tracker = DialogueStateTracker("t", domain.slots)
    tracker.update(SlotSet("language", language))
    texts = []
    for _ in range(times):
        response = await nlg.generate(name, tracker, "rest")
        texts.append(response["text"])
        metadata = {"utter_action": name, **({"reminder_of": name} if response.get("reminder_of") else {})}
        tracker.update(BotUttered(response["text"], metadata=metadata))
    return texts


async def test_the_full_crisis_text_once_then_reminders_with_the_numbers(nlg: HotlineNLG) -> None:
    texts = await _sends(nlg, "utter_crisis_danger", 4)
    assert len(texts[0]) > 2 * max(len(t) for t in texts[1:])
    assert all("122" in t and "124" in t for t in texts)
    assert all(texts[i] != texts[i + 1] for i in range(len(texts) - 1))  # never twice running


async def test_a_repeated_menu_is_worded_differently_each_time(nlg: HotlineNLG) -> None:
    texts = await _sends(nlg, "utter_help_menu", 4, language="bcs")
    assert all(texts[i] != texts[i + 1] for i in range(len(texts) - 1))
