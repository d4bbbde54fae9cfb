"""Writing a case's audit trail (append-only CaseEvent rows)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.storage.models import Case, CaseEvent


def record(
    session: Session, case: Case, kind: str, body: str | None = None, actor: str = "system", visible: bool = False
) -> CaseEvent:
    event = CaseEvent(case=case, kind=kind, body=body, actor=actor, visible_to_reporter=visible)
    session.add(event)
    return event
