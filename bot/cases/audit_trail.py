"""Writing a case's audit trail (append-only CaseEvent rows)."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.storage.models import Case, CaseEvent


def record(
    session: Session, case: Case, kind: str, body: str | None = None, actor: str = "system", visible: bool = False
) -> CaseEvent:
    event = CaseEvent(case=case, kind=kind, body=body, actor=actor, visible_to_reporter=visible)
    session.add(event)
    return event


def append(session: Session, case_id: int, kind: str, body: str | None = None, actor: str = "system") -> None:
    """The same row as `record`, inserted at once with no object: for an entry nothing in the
    transaction reads back (a page view, recorded on every visit), where the ORM's flush
    costs more than the insert. The trail is read from the table, so it shows either way."""
    session.execute(
        insert(CaseEvent),
        {"case_id": case_id, "kind": kind, "body": body, "actor": actor, "visible_to_reporter": False},
    )
