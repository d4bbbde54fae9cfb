"""Finding the place a reporter typed (with typos, in any script) among the directory's
schools and municipalities."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.intake.extraction import KnownPlace
from bot.storage.models import Municipality, School
from bot.text.scripts import normalize_for_nlu

SCHOOL_MATCH_THRESHOLD = 80
MUNICIPALITY_MATCH_THRESHOLD = 85


@dataclass(frozen=True)
class PlaceMatch:
    school_id: int | None
    municipality_id: int | None
    label: str


_PREPOSITIONS = {"u", "in", "iz", "from", "at", "kod", "near", "opcina", "opstina", "municipality"}


def _stem(word: str) -> str:
    # Case endings of town names ("u Livnu", "Glamoču") differ only in the last letter.
    return word[:-1] if len(word) > 4 else word


def _is_town_only(query: str, municipality: Municipality) -> bool:
    """True when every word typed is part of the town's name (or a preposition)."""
    name_stems = {_stem(w) for w in normalize_for_nlu(municipality.name).split()}
    words = [w for w in query.split() if w not in _PREPOSITIONS]
    return bool(words) and all(_stem(w) in name_stems for w in words)


def match_place(session: Session, text: str) -> PlaceMatch | None:
    """The school, or else the municipality, a reporter typed; None when nothing fits."""
    query = normalize_for_nlu(text)
    if not query:
        return None
    municipalities = session.scalars(select(Municipality)).all()
    for municipality in municipalities:
        if _is_town_only(query, municipality):
            return PlaceMatch(None, municipality.id, municipality.name)
    schools = session.scalars(select(School)).all()
    choices = {s.id: normalize_for_nlu(s.name) for s in schools}
    best = process.extractOne(query, choices, scorer=fuzz.token_set_ratio)
    if best and best[1] >= SCHOOL_MATCH_THRESHOLD:
        school = next(s for s in schools if s.id == best[2])
        return PlaceMatch(school.id, school.municipality_id, school.name)
    for municipality in municipalities:
        name = normalize_for_nlu(municipality.name)
        if fuzz.partial_ratio(_stem(name), query) >= MUNICIPALITY_MATCH_THRESHOLD:
            return PlaceMatch(None, municipality.id, municipality.name)
    return None


def municipality_names(session: Session) -> list[str]:
    return [m.name for m in session.scalars(select(Municipality).order_by(Municipality.id))]


def known_places(session: Session) -> list[KnownPlace]:
    """Every school and every municipality, for reading places out of a story."""
    municipalities = {m.id: m.name for m in session.scalars(select(Municipality).order_by(Municipality.id))}
    places = [
        KnownPlace(s.municipality_id, municipalities.get(s.municipality_id, ""), s.id, s.name)
        for s in session.scalars(select(School).order_by(School.id))
    ]
    return places + [KnownPlace(m_id, name) for m_id, name in municipalities.items()]
