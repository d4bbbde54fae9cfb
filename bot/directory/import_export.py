"""Importing and exporting the directory of municipalities, schools and responders: YAML or
CSV files, checked with line numbers, written in one transaction or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory.checks import by_line, check
from bot.directory.csv_format import read_csv
from bot.directory.entries import RawEntry
from bot.directory.store import read_directory, write_directory
from bot.directory.yaml_format import read_yaml, to_document
from bot.storage.models import Municipality, School


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
        len(checked.directory.municipalities),
        len(checked.directory.schools),
        sum(r.type == "staff" for r in responders),
        sum(r.type == "coordinator" for r in responders),
        sum(r.type == "service" for r in responders),
        tuple(checked.warnings),
    )


def import_directory(session: Session, path: Path) -> tuple[int, int]:
    """Load a directory file (see load_directory); returns the municipality and school counts."""
    report = load_directory(session, path)
    return report.municipalities, report.schools


def export_directory(session: Session, with_phones: bool = False) -> dict[str, Any]:
    """The directory as a YAML document; phones only when asked for."""
    return to_document(read_directory(session, with_phones))
