"""What a story says about the report: who it happened to, who is writing, when, where,
whether someone is in danger now, and the discrimination ground.

The incident type is not guessed here: the NLU's incident-type classifier (trained on
data/nlu/incidents_*.yml) reads it, and its guess is passed in. The phrases are in
data/hotline/extraction.yml; the towns and schools come from the directory."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.intake import choices, patterns

# A story is a message that tells something: several words, or the classifier saw an
# incident in it.
STORY_MIN_WORDS = 5
REPORTED_STORY_MIN_WORDS = 4
# After a request to report ("želim prijaviti"), this many more words tell the story.
REQUEST_TELLS_WORDS = 4


@dataclass(frozen=True)
class KnownPlace:
    """A municipality, or a school in it, as the directory knows it."""

    municipality_id: int
    municipality: str
    school_id: int | None = None
    school: str | None = None

    @property
    def label(self) -> str:
        return self.school or self.municipality


def _town_stem(name: str) -> str:
    # Case endings of town names ("u Livnu", "iz Drvara", "na Kupresu") change the last
    # letter or add one or two: compare words from the stem on.
    last = patterns.fold(name).split()[-1]
    return last[:-1] if len(last) > 4 else last


def _names_town(words: list[str], name: str) -> bool:
    stem = _town_stem(name)
    full = patterns.fold(name).split()[-1]
    return any(w.startswith(stem) and len(full) - 1 <= len(w) <= len(full) + 3 for w in words)


def _names_school(words: list[str], place: KnownPlace) -> bool:
    """Every word of the school's name that tells it apart is in the text (inflected
    words from their first five letters)."""
    town_words = set(patterns.fold(place.municipality).split())
    own = [
        w
        for w in re.findall(r"\w+", patterns.fold(place.school or ""))
        if w not in patterns.school_generic_words() and w not in town_words
    ]
    if not own:
        return False
    return all(any(w == o or (len(o) >= 5 and w.startswith(o[:5])) for w in words) for o in own)


def _of_level_named(schools: list[KnownPlace], words: list[str]) -> KnownPlace:
    """Of the schools a text fits, the first of the level (primary, secondary) it names."""
    named = patterns.school_levels_in(words)
    for school in schools:
        if named & patterns.school_levels_in(re.findall(r"\w+", patterns.fold(school.school or ""))):
            return school
    return schools[0]


def place_in(text: str, places: list[KnownPlace]) -> KnownPlace | None:
    """The school (or else the town) a story names, in any inflected form or script."""
    folded = patterns.fold(text)
    words = re.findall(r"\w+", folded)
    schools = [
        place
        for place in places
        if place.school
        and _names_school(words, place)
        and (
            _names_town(words, place.municipality)
            or not any(_names_town(words, other.municipality) for other in places if other.school is None)
        )
    ]
    if schools:
        return _of_level_named(schools, words)
    for place in places:
        if place.school is None and any(_names_town(words, name) for name in patterns.town_names(place.municipality)):
            return place
    return None


def discrimination_ground_in(text: str) -> str | None:
    """The ground a story names ("jer smo povratnici", "because he is Roma")."""
    ground = choices.interpret("discrimination_ground", text)
    return ground if ground not in (None, choices.SKIP, "other") else None


@dataclass(frozen=True)
class Understood:
    """What a story said; None where it said nothing."""

    incident_type: str | None = None
    discrimination_ground: str | None = None
    affected: str | None = None
    reporter_role: str | None = None
    incident_time: str | None = None
    danger_now: str | None = None
    place: KnownPlace | None = None

    def answers(self) -> dict[str, str]:
        """The report's answers this story gives, by slot name."""
        found = {
            "incident_type": self.incident_type,
            "discrimination_ground": self.discrimination_ground,
            "affected": self.affected,
            "reporter_role": self.reporter_role,
            "incident_time": self.incident_time,
            "danger_now": self.danger_now,
        }
        return {slot: value for slot, value in found.items() if value is not None}


def understand(text: str, places: list[KnownPlace], incident_type: str | None = None) -> Understood:
    """Everything a story says. `incident_type` is the classifier's confident guess."""
    folded = patterns.fold(text)
    affected = patterns.value_in("affected", folded, folded=True)
    role = patterns.value_in("reporter_role", folded, folded=True)
    if role == "parent" and affected is None:
        affected = "someone_else"  # a parent writes about their child
    incident_type = patterns.value_in("incident_type", folded, folded=True) or incident_type
    return Understood(
        incident_type=incident_type,
        discrimination_ground=discrimination_ground_in(text) if incident_type == "discrimination" else None,
        affected=affected,
        reporter_role=role,
        incident_time=patterns.value_in("incident_time", folded, folded=True),
        danger_now=patterns.value_in("danger_now", folded, folded=True),
        place=place_in(text, places),
    )


def is_story(text: str, incident_type: str | None, reported: bool = False) -> bool:
    """A message that tells what happened, not a short answer or a menu word. `reported`:
    the NLU took the message for a report, so fewer words are enough."""
    if choices.payload_choice(text) is not None or text.strip().startswith("/"):
        return False
    folded = patterns.fold(text)
    words = len(folded.split())
    request = patterns.first_match("report_request", folded)
    if request is not None:
        # "želim prijaviti nasilje u školi" asks to report; "želim prijaviti da me tuku
        # svaki dan" already tells it.
        return len(folded[request.end() :].split()) >= REQUEST_TELLS_WORDS
    if reported and words >= REPORTED_STORY_MIN_WORDS:
        return True
    return words >= STORY_MIN_WORDS and incident_type is not None or words >= 2 * STORY_MIN_WORDS


def case_fields(understood: Understood) -> dict[str, object]:
    """What a story says, as the fields of a case (a crisis case is filled from the words
    before any question is asked, so that routing reaches the right school)."""
    fields: dict[str, object] = dict(understood.answers())
    if understood.place is not None:
        fields["school_id"] = understood.place.school_id
        fields["municipality_id"] = understood.place.municipality_id
    return fields
