from pathlib import Path

import pytest
import yaml

from bot.directory import DirectoryError, export_directory, import_directory, match_place, municipality_names
from bot.storage.models import School


def test_sample_directory_has_the_six_municipalities(session) -> None:
    assert municipality_names(session) == [
        "Livno", "Tomislavgrad", "Kupres", "Glamoč", "Drvar", "Bosansko Grahovo"]
    schools = session.query(School).all()
    assert schools and all(s.is_sample and "Uzorak" in s.name for s in schools)


@pytest.mark.parametrize("typed, expected", [
    ("OS Uzorak 1 Livno", "OŠ Uzorak 1 Livno"),
    ("uzorak 2 livno", "OŠ Uzorak 2 Livno"),
    ("srednja skola uzorak drvar", "Srednja škola Uzorak Drvar"),
    ("ОШ Узорак Купрес", "OŠ Uzorak Kupres"),
    ("Livno", "Livno"),
    ("u Glamoču", "Glamoč"),
    ("Tomislavgradu", "Tomislavgrad"),
    ("Bosansko Grahovo", "Bosansko Grahovo"),
])
def test_fuzzy_place_matching(session, typed: str, expected: str) -> None:
    place = match_place(session, typed)
    assert place is not None and place.label == expected


def test_unknown_places_do_not_match(session) -> None:
    assert match_place(session, "Zagreb") is None
    assert match_place(session, "") is None


def test_export_then_import_round_trip(session, tmp_path: Path) -> None:
    exported = export_directory(session)
    path = tmp_path / "dir.yml"
    path.write_text(yaml.safe_dump(exported, allow_unicode=True), encoding="utf-8")
    assert import_directory(session, path) == (6, len(session.query(School).all()))
    assert export_directory(session) == exported


def test_a_broken_directory_names_the_problem(session, tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("municipalities:\n  - code: x\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match="municipality #1 has no 'name'"):
        import_directory(session, path)
