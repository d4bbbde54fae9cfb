"""What a story says, read from free text in every script and spelling."""

import pytest

from bot.intake import patterns
from bot.intake.extraction import KnownPlace, is_story, place_in, understand
from tests.helpers.conversation import PLACES


def test_every_pattern_compiles() -> None:
    patterns.check_file()


@pytest.mark.parametrize(
    "text, field, expected",
    [
        ("My daughter is insulted in class every day", "affected", "someone_else"),
        ("mom sinu stalno uzimaju užinu", "affected", "someone_else"),
        ("Dva ucenika su me tukla iza skole", "affected", "me"),
        ("A boy hits me every day", "affected", "me"),
        ("ja sam mama", "reporter_role", "parent"),
        ("I'm his teacher and I saw it", "reporter_role", "staff"),
        ("u mom razredu jedna cura vrijeđa sve", "reporter_role", "student"),
        ("jučer na velikom odmoru", "incident_time", "this_week"),
        ("svaki tjedan isto", "incident_time", "ongoing"),
        ("last week after PE", "incident_time", "earlier"),
        ("прошле недеље", "incident_time", "earlier"),
        ("danas ujutro", "incident_time", "today"),
        ("not really, I'm at home now", "danger_now", "no"),
        ("sad sam kući na sigurnom", "danger_now", "no"),
    ],
)
def test_fields_read_from_free_text(text: str, field: str, expected: str) -> None:
    assert getattr(understand(text, PLACES), field) == expected


@pytest.mark.parametrize(
    "text, town",
    [
        ("tuku me u Livnu", "Livno"),
        ("mi smo iz Drvara", "Drvar"),
        ("у Дрвару", "Drvar"),
        ("na Kupresu u školi", "Kupres"),
        ("u Glamoču", "Glamoč"),
        ("u Grahovu", "Bosansko Grahovo"),
        ("u Duvnu", "Tomislavgrad"),
        ("U TOMISLAVGRADU", "Tomislavgrad"),
    ],
)
def test_towns_in_inflected_forms_and_every_script(text: str, town: str) -> None:
    place = place_in(text, PLACES)
    assert place is not None and place.municipality == town and place.school_id is None


def test_a_school_named_in_a_story_is_the_school() -> None:
    place = place_in("nas sin ide u OŠ Uzorak 2 Livno i stalno ga vrijeđaju", PLACES)
    assert place is not None and place.school_id == 12


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Moju kćer vrijeđaju jer smo povratnici", "discrimination"),
        ("they call him gypsy every day", "discrimination"),
        ("they say bad things about bosniaks in my class", "discrimination"),
    ],
)
def test_being_targeted_for_who_one_is_is_discrimination(text: str, kind: str) -> None:
    assert understand(text, PLACES, incident_type="bullying").incident_type == kind


def test_requests_to_report_are_not_stories_but_stories_after_them_are() -> None:
    assert not is_story("želim prijaviti nasilje u školi", "physical")
    assert not is_story("I want to report bullying", "bullying")
    assert is_story("želim prijaviti da me dva učenika tuku svaki dan iza škole", "physical")
    assert not is_story("ja sam mama", None)
    assert is_story("ови из осмог ме стално малтретирају", None, reported=True)
    assert not is_story("ја сам мама", None, reported=True)


@pytest.mark.parametrize(
    "text",
    [
        "Tuku me jer vjeruju da sam ih ja tužio",
        "Smiju mi se što čitam naglas",
        "udario me jer sam mu uzeo loptu, vjerovatno će opet",
    ],
)
def test_words_that_only_look_like_grounds_are_not_discrimination(text: str) -> None:
    assert understand(text, PLACES, incident_type="physical").incident_type == "physical"


GLAMOC = [
    KnownPlace(4, "Glamoč", 41, "OŠ Uzorak Glamoč"),
    KnownPlace(4, "Glamoč", 42, "Srednja škola Uzorak Glamoč"),
    KnownPlace(4, "Glamoč"),
]


@pytest.mark.parametrize(
    "text, school",
    [
        ("u srednjoj skoli uzorak u glamocu ima noz", 42),
        ("идем у Средњу школу Узорак Гламоч", 42),
        ("he's at the high school Uzorak in Glamoc", 42),
        ("u osnovnoj školi Uzorak u Glamoču", 41),
        ("Uzorak Glamoč, ona osnovna", 41),
        ("kod škole Uzorak u Glamoču", 41),  # no level named: the first that fits
    ],
)
def test_of_two_schools_a_story_fits_the_level_it_names_wins(text: str, school: int) -> None:
    place = place_in(text, GLAMOC)
    assert place is not None and place.school_id == school, text
