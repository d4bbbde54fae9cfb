"""Names of schools, places and people for the console's pages, from the directory, kept
for a minute in each process. The directory changes a few times a year; the queue shows
these names on every row, and joining them into every query cost more than the query."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Municipality, Responder, School

TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    municipality_id: int | None = None


@dataclass(frozen=True)
class Person:
    """A responder as the console's pages name them (and as bot.cases.access needs them)."""

    id: int
    code: str
    name: str
    role: str | None
    kind: str | None
    school_id: int | None
    active: bool

    @property
    def may_own(self) -> bool:
        """Active and not the administrator: may be given a case or a referral."""
        return self.active and self.role is not None and self.role != "administrator"


@dataclass(frozen=True)
class DirectoryNames:
    schools: dict[int, Place]
    municipalities: dict[int, Place]
    people: dict[int, Person]

    def knows(self, school_id: int | None, municipality_id: int | None, person_id: int | None) -> bool:
        return (
            (school_id is None or school_id in self.schools)
            and (municipality_id is None or municipality_id in self.municipalities)
            and (person_id is None or person_id in self.people)
        )

    def school(self, school_id: int | None) -> str | None:
        school = self.schools.get(school_id) if school_id is not None else None
        return school.name if school else None

    def place(self, municipality_id: int | None, school_id: int | None) -> str | None:
        """The case's town, or its school's."""
        if municipality_id is None and school_id is not None and school_id in self.schools:
            municipality_id = self.schools[school_id].municipality_id
        place = self.municipalities.get(municipality_id) if municipality_id is not None else None
        return place.name if place else None

    def person(self, person_id: int | None) -> str | None:
        person = self.people.get(person_id) if person_id is not None else None
        return person.name if person else None


_kept: dict[str, tuple[float, DirectoryNames]] = {}


def _read(db: Session) -> DirectoryNames:
    schools = {
        row.id: Place(row.code, row.name, row.municipality_id)
        for row in db.execute(select(School.id, School.code, School.name, School.municipality_id))
    }
    places = {
        row.id: Place(row.code, row.name)
        for row in db.execute(select(Municipality.id, Municipality.code, Municipality.name))
    }
    columns = (Responder.id, Responder.code, Responder.name, Responder.role, Responder.kind, Responder.school_id)
    people = {
        row.id: Person(row.id, row.code, row.name, row.role, row.kind, row.school_id, bool(row.active))
        for row in db.execute(select(*columns, Responder.active))
    }
    return DirectoryNames(schools, places, people)


Ids = tuple[int | None, int | None, int | None]  # a school, a municipality, a person


def directory_names(db: Session, needed: Iterable[Ids] = ()) -> DirectoryNames:
    """The names, read again at once when any of the ids needed is new to them (a school
    or person added since): a row never shows without its name."""
    key = str(db.get_bind().url)
    kept = _kept.get(key)
    if kept is not None and time.monotonic() - kept[0] < TTL_SECONDS:
        if all(kept[1].knows(*ids) for ids in needed):
            return kept[1]
    names = _read(db)
    _kept[key] = (time.monotonic(), names)
    return names
