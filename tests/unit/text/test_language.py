import pytest

from bot.text.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "Zdravo, tuku me u školi",
        "tuku me u skoli",
        "Здраво",
        "šta da radim",
        "kako ovo radi",
        "Hoću da prijavim nasilje",
        "gde je moja prijava",
        "gdje je moja prijava",
    ],
)
def test_bcs(text: str) -> None:
    assert detect_language(text) == "bcs"


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "I was bullied at school",
        "what can you do",
        "is this anonymous",
        "my friend is sad",
    ],
)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["ok", "1", "🙂", "", "123456", "JS-7F3Q-9K2M"])
def test_ambiguous_messages_keep_the_conversation_language(text: str) -> None:
    assert detect_language(text) is None


def test_a_name_with_local_letters_does_not_decide_the_language() -> None:
    from bot.text.language import detect_language

    assert detect_language("OŠ Uzorak Drvar") is None  # the school's name, typed by anyone
    assert detect_language("in Glamoč please") == "en"
    assert detect_language("Šta se desilo") == "bcs"
