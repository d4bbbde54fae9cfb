import pytest

from bot.intake import SKIP, buttons, interpret, payload_choice, report_from_slots


@pytest.mark.parametrize(
    "slot, typed, expected",
    [
        ("incident_type", "2", "bullying"),
        ("incident_type", '/choose{"choice": "threats"}', "threats"),
        ("incident_type", "tukli su me", "physical"),
        ("incident_type", "на инстаграму", "cyberbullying"),
        ("incident_type", "nešto drugo", "other"),
        ("incident_type", "they made fun of me", None),
        ("affected", "moja drugarica", "someone_else"),
        ("affected", "me", "me"),
        ("reporter_role", "ja sam mama", "parent"),
        ("reporter_role", "preskoči", SKIP),
        ("incident_time", "danas ujutro", "today"),
        ("incident_time", "u utorak", "u utorak"),
        ("danger_now", "ne", "no"),
        ("danger_now", "ne znam", SKIP),
        ("contact_ok", "da", "yes"),
        ("confirm", "pošalji", "send"),
        ("confirm", "promijeni", "change"),
        ("incident_type", "99", None),
    ],
)
def test_typed_answers(slot: str, typed: str, expected) -> None:
    assert interpret(slot, typed) == expected


def test_buttons_carry_language_neutral_payloads() -> None:
    latin = buttons("affected", "bcs", "latin")
    cyrillic = buttons("affected", "bcs", "cyrillic")
    english = buttons("affected", "en", "latin")
    assert [b["payload"] for b in latin] == [b["payload"] for b in english] == [b["payload"] for b in cyrillic]
    assert [b["title"] for b in latin] == ["Meni", "Nekom drugom", "Preskoči"]
    assert [b["title"] for b in cyrillic] == ["Мени", "Неком другом", "Прескочи"]
    assert english[-1]["title"] == "Skip"
    assert payload_choice(latin[0]["payload"]) == "me"


def test_incident_type_and_consent_cannot_be_skipped() -> None:
    assert all(b["title"] != "Skip" for b in buttons("incident_type", "en", None))
    assert all(b["title"] != "Skip" for b in buttons("contact_ok", "en", None))


def test_skipped_answers_become_unknown_fields() -> None:
    report = report_from_slots(
        {"incident_type": "bullying", "affected": SKIP, "contact_ok": "no", "language": "en"}, channel="rest"
    )
    assert report.affected is None and report.contact_ok is False and report.legal_aid_ok is None
    assert report.language == "en" and report.script == "latin" and report.channel == "rest"
