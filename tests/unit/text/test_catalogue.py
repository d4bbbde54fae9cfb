import pytest

from bot.text.catalogue import Reader, for_reader, for_writer, numbers_for, text
from bot.text.emergency_numbers import placeholders

ENTRY = {"en": "Call the police on {police}. Case {code}.", "bcs": "Nazovi policiju na {police}. Slučaj {code}."}


def test_a_cyrillic_writer_reads_cyrillic_with_codes_and_numbers_as_typed() -> None:
    shown = for_reader(ENTRY, Reader.of_text("Помозите ми молим вас"), code="JS-ABCD")
    assert shown.startswith("Назови полицију на ") and shown.endswith("JS-ABCD.")
    assert placeholders("bcs")["police"] in shown


def test_an_english_writer_reads_english_only() -> None:
    assert for_reader(ENTRY, Reader.of_text("please help me, someone hits me"), code="X") == (
        f"Call the police on {placeholders('en')['police']}. Case X."
    )


def test_a_writer_whose_language_is_unknown_reads_both_local_first() -> None:
    local, english = for_reader(ENTRY, Reader(None), code="X").split("\n\n")
    assert local.startswith("Nazovi") and english.startswith("Call")


def test_a_value_may_be_called_like_a_parameter() -> None:
    entry = {"en": "{name} {key} {text}", "bcs": "{name} {key} {text}"}
    assert for_reader(entry, Reader.of("en"), "k", name="a", key="b", text="c") == "a b c"


def test_a_missing_text_or_value_is_named_with_its_file() -> None:
    with pytest.raises(KeyError, match="no text 'nope' in data/hotline/texts/channel.yml"):
        text("channel", "nope", Reader.of("en"))
    with pytest.raises(KeyError, match=r"needs a value for \{code\}"):
        for_reader(ENTRY, Reader.of("en"), "entry")


def test_channel_texts_and_numbers_follow_the_reader() -> None:
    assert for_writer("channel", "forgotten", "Обриши") != for_writer("channel", "forgotten", "obrisi")
    assert numbers_for(Reader.of("bcs", "cyrillic"))["police"] == placeholders("bcs")["police"]
