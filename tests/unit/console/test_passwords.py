import pytest

from bot.console.passwords import MIN_LENGTH, hash_password, problems, verify_password


@pytest.mark.parametrize(
    "password",
    ["kratka1!", "Sarajevo2026!", "password1234", "lozinka123456", "123456789012", "aaaaaaaaaaaaaaaa", "QWERTZUIOP12"],
)
def test_short_common_and_one_note_passwords_are_refused(password: str) -> None:
    assert problems(password)


def test_the_responder_s_own_code_is_refused() -> None:
    assert problems("livno-os-1-pedagogue", also_not=("livno-os-1-pedagogue",))


def test_a_long_passphrase_is_accepted_and_verified_by_its_hash_only() -> None:
    phrase = "zeleni most iznad Cetine"
    assert len(phrase) >= MIN_LENGTH and problems(phrase) == []
    stored = hash_password(phrase)
    assert phrase not in stored and stored.startswith("$argon2")
    assert verify_password(stored, phrase) and not verify_password(stored, phrase.upper())
    assert not verify_password(None, phrase)
