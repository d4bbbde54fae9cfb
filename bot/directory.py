"""The directory of municipalities and schools: import, export and fuzzy look-up."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Municipality, School
from bot.text.scripts import normalize_for_nlu

SCHOOL_MATCH_THRESHOLD = 80
MUNICIPALITY_MATCH_THRESHOLD = 85


class DirectoryError(ValueError):
    """A directory file that cannot be imported; the message says where."""


def import_directory(session: Session, path: Path) -> tuple[int, int]:
    """Insert or update municipalities and schools from a YAML file. Returns counts."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    municipalities = data.get("municipalities")
    if not isinstance(municipalities, list):
        raise DirectoryError(f"{path}: expected a list under 'municipalities'")
    school_count = 0
    for index, entry in enumerate(municipalities):
        for key in ("code", "name"):
            if not entry.get(key):
                raise DirectoryError(f"{path}: municipality #{index + 1} has no '{key}'")
        municipality = session.scalars(
            select(Municipality).where(Municipality.code == entry["code"])
        ).one_or_none() or Municipality(code=entry["code"])
        municipality.name = entry["name"]
        session.add(municipality)
        for school_entry in entry.get("schools") or []:
            _upsert_school(session, municipality, school_entry, path)
            school_count += 1
    session.flush()
    return len(municipalities), school_count


def _upsert_school(session: Session, municipality: Municipality, entry: dict, path: Path) -> None:
    for key in ("code", "name"):
        if not entry.get(key):
            raise DirectoryError(f"{path}: a school of {municipality.code} has no '{key}'")
    school = session.scalars(select(School).where(School.code == entry["code"])).one_or_none()
    school = school or School(code=entry["code"])
    school.name = entry["name"]
    school.kind = entry.get("kind", "primary")
    school.is_sample = bool(entry.get("sample", False))
    school.municipality = municipality
    session.add(school)


def export_directory(session: Session) -> dict[str, Any]:
    municipalities = session.scalars(select(Municipality).order_by(Municipality.id)).all()
    return {
        "municipalities": [
            {
                "code": m.code,
                "name": m.name,
                "schools": [
                    {"code": s.code, "name": s.name, "kind": s.kind, "sample": s.is_sample}
                    for s in sorted(m.schools, key=lambda s: s.id)
                ],
            }
            for m in municipalities
        ]
    }


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
