"""Internal notes on a case: for the staff and services on it, never for the reporter.
Who reads which note is bot.cases.access's rule (a service reads only its own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import access, audit_trail
from bot.storage.db import plain_rows
from bot.storage.models import Case, CaseNote, Responder

MAX_NOTE = 4000


def add_note(session: Session, case: Case, author: Responder, body: str) -> CaseNote | None:
    """A note by `author`; None for an empty one. The trail records that a note was written,
    not what it says (the trail is read by more people than the note)."""
    text = body.strip()[:MAX_NOTE]
    if not text:
        return None
    note = CaseNote(case_id=case.id, responder_id=author.id, body=text)
    session.add(note)
    session.flush()
    audit_trail.record(session, case, "note", f"note {note.id}", actor=author.code)
    return note


@dataclass(frozen=True)
class NoteLine:
    author_code: str | None
    author: str | None  # the author's name in the directory
    at: datetime | None
    body: str


def notes_for(session: Session, case: Case, reader: Responder) -> list[NoteLine]:
    """The notes this reader may read, oldest first."""
    query = (
        select(Responder.code, Responder.name, CaseNote.created_at, CaseNote.body)
        .outerjoin(Responder, CaseNote.responder_id == Responder.id)
        .where(CaseNote.case_id == case.id, access.visible_notes(reader))
        .order_by(CaseNote.id)
    )
    return [NoteLine(code, name, at, body or "") for code, name, at, body in plain_rows(session, query)]
