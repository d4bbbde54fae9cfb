import re

from bot.cases.codes import (
    CODE_ALPHABET,
    hash_pin,
    new_case_code,
    new_pin,
    normalize_case_code,
    normalize_pin,
    verify_pin,
)


def test_case_codes_use_an_unambiguous_alphabet() -> None:
    codes = {new_case_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"JS-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
        assert not set(code[3:].replace("-", "")) - set(CODE_ALPHABET)
    for confusable in "01OIL":
        assert confusable not in CODE_ALPHABET


def test_typed_codes_are_forgiving() -> None:
    assert normalize_case_code("js-7f3q-9k2m") == "JS-7F3Q-9K2M"
    assert normalize_case_code(" JS 7F3Q 9K2M ") == "JS-7F3Q-9K2M"
    assert normalize_case_code("7F3Q9K2M") == "JS-7F3Q-9K2M"
    assert normalize_case_code("ЈЅ-7F3Q-9K2М") == "JS-7F3Q-9K2M"  # Cyrillic look-alikes
    assert normalize_case_code("JS-0000-1111") is None
    assert normalize_case_code("hello") is None


def test_pins_are_six_digits_and_stored_only_as_a_slow_hash() -> None:
    pin = new_pin()
    assert re.fullmatch(r"\d{6}", pin)
    hashed = hash_pin(pin)
    assert pin not in hashed and hashed.startswith("$argon2")
    assert verify_pin(hashed, pin)
    assert not verify_pin(hashed, "000000" if pin != "000000" else "111111")
    assert not verify_pin("not a hash", pin)


def test_typed_pins() -> None:
    assert normalize_pin("123 456") == "123456"
    assert normalize_pin("12345") is None
    assert normalize_pin("abcdef") is None
