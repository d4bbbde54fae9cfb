"""The directory of municipalities, schools and responders: import and export of files
(YAML or CSV, checked with line numbers), and the fuzzy look-up of a typed place."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory.csv_format import read_csv
from bot.directory.entries import RawEntry, by_line, check
from bot.directory.store import read_directory, write_directory
from bot.directory.yaml_format import read_yaml, to_document
from bot.intake.extraction import KnownPlace
from bot.storage.models import Municipality, School
from bot.text.scripts import normalize_for_nlu

SCHOOL_MATCH_THRESHOLD = 80
MUNICIPALITY_MATCH_THRESHOLD = 85


class DirectoryError(ValueError):
    """A directory file that cannot be imported; `errors` lists every problem as
    `file:line: message`."""

    def __init__(self, errors: list[str] | str) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class ImportReport:
    """How many entries of each kind a file held, and its warnings."""

    municipalities: int
    schools: int
    staff: int
    coordinators: int
    services: int
    warnings: tuple[str, ...] = ()


def read_directory_file(path: Path) -> tuple[list[RawEntry], list[str]]:
    """Entries and structural problems of a YAML or CSV file, chosen by its extension."""
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return read_yaml(path)
    if suffix == ".csv":
        return read_csv(path)
    return [], [f"{path.name}:1: unknown file type '{suffix}' (use .yml, .yaml or .csv)"]


def load_directory(session: Session, path: Path) -> ImportReport:
    """Insert or update municipalities, schools and responders from a file; all or
    nothing: DirectoryError, with every problem, before anything is written."""
    raw_entries, errors = read_directory_file(path)
    known_municipalities = set(session.scalars(select(Municipality.code)))
    known_schools = set(session.scalars(select(School.code)))
    checked = check(raw_entries, known_municipalities, known_schools)
    if errors or checked.errors:
        raise DirectoryError(by_line(errors + checked.errors))
    write_directory(session, checked.directory)
    responders = checked.directory.responders
    return ImportReport(
        len(checked.directory.municipalities), len(checked.directory.schools),
        sum(r.type == "staff" for r in responders), sum(r.type == "coordinator" for r in responders),
        sum(r.type == "service" for r in responders), tuple(checked.warnings))


def import_directory(session: Session, path: Path) -> tuple[int, int]:
    """Load a directory file (see load_directory); returns the municipality and school counts."""
    report = load_directory(session, path)
    return report.municipalities, report.schools


def export_directory(session: Session, with_phones: bool = False) -> dict[str, Any]:
    """The directory as a YAML document; phones only when asked for."""
    return to_document(read_directory(session, with_phones))


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
    places = [KnownPlace(s.municipality_id, municipalities.get(s.municipality_id, ""), s.id, s.name)
              for s in session.scalars(select(School).order_by(School.id))]
    return places + [KnownPlace(m_id, name) for m_id, name in municipalities.items()]
