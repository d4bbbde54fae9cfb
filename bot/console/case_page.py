"""What the case page shows a member of staff, and the record that they looked. Built on
bot.cases.view (the CLI's view of a case) with what only the console has: internal notes,
attachments behind a click, who else opened the case, and the people it can go to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cases import access, audit_trail
from bot.cases.notes import notes_for
from bot.cases.view import CaseView, case_view
from bot.followup.thread import case_by_code
from bot.storage.models import Attachment, Case, CaseEvent, CaseNote, Responder

VIEW_KINDS = ("viewed", "attachment_viewed", "exported")
# Trail events a crisis message leaves (bot.cases.submission.record_crisis).
CRISIS_EVENT_PREFIX = "crisis_"


@dataclass(frozen=True)
class Viewer:
    code: str
    name: str
    last_at: datetime
    times: int


@dataclass(frozen=True)
class AttachmentLine:
    id: int
    kind: str
    received_at: datetime | None


@dataclass(frozen=True)
class CasePage:
    view: CaseView
    notes: list[CaseNote]
    attachments: list[AttachmentLine]
    viewers: list[Viewer]
    crisis_messages: list[tuple[datetime | None, str]]
    colleagues: list[Responder]
    services: list[Responder]


def visible_case(session: Session, typed_code: str, responder: Responder) -> Case | None:
    """The case a code names, when this responder may see it; None otherwise (the page
    answers 403 either way, so that a code's existence does not leak)."""
    case = case_by_code(session, typed_code)
    return case if case is not None and access.may_see(session, case, responder) else None


def record_view(session: Session, case: Case, responder: Responder, kind: str, what: str) -> None:
    audit_trail.record(session, case, kind, what, actor=responder.code)


def _viewers(session: Session, case: Case, reader: Responder) -> list[Viewer]:
    rows = session.execute(
        select(CaseEvent.actor, func.max(CaseEvent.created_at), func.count(CaseEvent.id))
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(VIEW_KINDS), CaseEvent.actor != reader.code)
        .group_by(CaseEvent.actor)
        .order_by(func.max(CaseEvent.created_at).desc())
    ).all()
    names = dict(
        session.execute(select(Responder.code, Responder.name).where(Responder.code.in_([r[0] for r in rows]))).all()
    )
    return [Viewer(code, names.get(code) or code, last, times) for code, last, times in rows]


def _could_own(session: Session, case: Case) -> list[Responder]:
    """Whom the coordinator may give the case to: active staff and services who may see it."""
    candidates = session.scalars(
        select(Responder).where(Responder.active.is_(True), Responder.role != "administrator").order_by(Responder.code)
    ).all()
    return [r for r in candidates if access.may_see(session, case, r)]


def _services(session: Session) -> list[Responder]:
    return list(
        session.scalars(
            select(Responder).where(Responder.active.is_(True), Responder.kind == "service").order_by(Responder.code)
        )
    )


def case_page(session: Session, case: Case, reader: Responder) -> CasePage:
    view = case_view(session, case)
    attachments = session.scalars(select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id))
    return CasePage(
        view=view,
        notes=notes_for(session, case, reader),
        attachments=[AttachmentLine(a.id, a.kind or "file", a.created_at) for a in attachments],
        viewers=_viewers(session, case, reader),
        crisis_messages=[(e.at, e.body) for e in view.events if e.kind.startswith(CRISIS_EVENT_PREFIX)],
        colleagues=_could_own(session, case) if access.may_reassign(reader) else [],
        services=_services(session) if access.role_of(reader) != "service" else [],
    )


def attachment_of(session: Session, case: Case, attachment_id: int) -> Attachment | None:
    found = session.get(Attachment, attachment_id)
    return found if found is not None and found.case_id == case.id else None
