import pytest

from bot.directory.places import match_place, municipality_names
from bot.storage.models import School


def test_sample_directory_has_the_six_municipalities(session) -> None:
    assert municipality_names(session) == ["Livno", "Tomislavgrad", "Kupres", "Glamoč", "Drvar", "Bosansko Grahovo"]
    schools = session.query(School).all()
    assert schools and all(s.is_sample and "Uzorak" in s.name for s in schools)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("OS Uzorak 1 Livno", "OŠ Uzorak 1 Livno"),
        ("uzorak 2 livno", "OŠ Uzorak 2 Livno"),
        ("srednja skola uzorak drvar", "Srednja škola Uzorak Drvar"),
        ("ОШ Узорак Купрес", "OŠ Uzorak Kupres"),
        ("Livno", "Livno"),
        ("u Glamoču", "Glamoč"),
        ("Tomislavgradu", "Tomislavgrad"),
        ("Bosansko Grahovo", "Bosansko Grahovo"),
    ],
)
def test_fuzzy_place_matching(session, typed: str, expected: str) -> None:
    place = match_place(session, typed)
    assert place is not None and place.label == expected


def test_unknown_places_do_not_match(session) -> None:
    assert match_place(session, "Zagreb") is None
    assert match_place(session, "") is None
