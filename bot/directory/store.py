"""Checked directory entries into the database (insert or update by code) and back out.

Phones are sealed (bot.privacy.sealing) with a keyed lookup hash beside them; an entry without a
phone or chat id keeps what the database holds, so that an export without phones can be
edited and imported again. Nothing is deleted: `active: false` retires a responder."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory.entries import Directory, MunicipalityEntry, ResponderEntry, SchoolEntry
from bot.directory.phones import phone_key
from bot.privacy.sealing import seal, unseal
from bot.storage.models import Municipality, Responder, School


def _by_code(session: Session, model: type) -> dict[str, Any]:
    return {row.code: row for row in session.scalars(select(model))}


def _write_responder(
    row: Responder, entry: ResponderEntry, schools: dict[str, School], municipalities: dict[str, Municipality]
) -> None:
    school = schools[entry.school] if entry.school else None
    row.kind = "service" if entry.type == "service" else "staff"
    row.role, row.name, row.organisation = entry.role, entry.name, entry.organisation
    row.school = school
    # School staff take the school's municipality, so routing can ask by municipality.
    row.municipality = (
        school.municipality if school else (municipalities[entry.municipality] if entry.municipality else None)
    )
    row.is_backup, row.language, row.active, row.is_sample = (entry.backup, entry.language, entry.active, entry.sample)
    row.channels, row.on_duty = ",".join(entry.channels), entry.on_duty
    if entry.phone is not None:
        key = phone_key(entry.phone)
        if key != row.phone_key or not row.sealed_phone:  # re-sealing an unchanged number is churn
            row.sealed_phone, row.phone_key = seal(entry.phone), key
    if entry.telegram_chat_id is not None:
        row.telegram_chat_id = entry.telegram_chat_id


def write_directory(session: Session, directory: Directory) -> None:
    """Insert or update every entry; the entries must have passed `check`."""
    municipalities = _by_code(session, Municipality)
    for m in directory.municipalities:
        row = municipalities.get(m.code) or Municipality(code=m.code)
        row.name = m.name
        session.add(row)
        municipalities[m.code] = row
    schools = _by_code(session, School)
    for s in directory.schools:
        row = schools.get(s.code) or School(code=s.code)
        row.name, row.kind, row.is_sample = s.name, s.kind, s.sample
        row.municipality = municipalities[s.municipality]
        session.add(row)
        schools[s.code] = row
    responders = _by_code(session, Responder)
    for r in directory.responders:
        row = responders.get(r.code) or Responder(code=r.code)
        _write_responder(row, r, schools, municipalities)
        session.add(row)
        responders[r.code] = row
    session.flush()


def _entry_type(row: Responder) -> str:
    if row.school_id is not None:
        return "staff"
    return "service" if row.kind == "service" else "coordinator"


def _responder_entry(row: Responder, with_phones: bool) -> ResponderEntry:
    return ResponderEntry(
        type=_entry_type(row),
        code=row.code,
        role=row.role,
        name=row.name,
        organisation=row.organisation,
        school=row.school.code if row.school else None,
        municipality=row.municipality.code if row.municipality and not row.school else None,
        backup=bool(row.is_backup),
        language=row.language or "bcs",
        phone=unseal(row.sealed_phone) if with_phones and row.sealed_phone else None,
        telegram_chat_id=row.telegram_chat_id,
        channels=tuple(c for c in (row.channels or "").split(",") if c),
        on_duty=row.on_duty or "always",
        active=bool(row.active),
        sample=bool(row.is_sample),
    )


def read_directory(session: Session, with_phones: bool = False) -> Directory:
    """The whole directory in file order: municipalities, schools, staff school by school,
    coordinators, services. Phones are unsealed only `with_phones`."""
    municipalities = session.scalars(select(Municipality).order_by(Municipality.id)).all()
    schools = session.scalars(select(School).order_by(School.id)).all()
    responders = [_responder_entry(r, with_phones) for r in session.scalars(select(Responder).order_by(Responder.id))]
    school_order = {s.code: index for index, s in enumerate(schools)}
    type_order = {"staff": 0, "coordinator": 1, "service": 2}
    responders.sort(key=lambda r: (type_order[r.type], school_order.get(r.school or "", 0)))
    return Directory(
        [MunicipalityEntry(m.code, m.name) for m in municipalities],
        [
            SchoolEntry(
                s.code, s.name, s.municipality.code if s.municipality else "", s.kind or "primary", bool(s.is_sample)
            )
            for s in schools
        ],
        responders,
    )
