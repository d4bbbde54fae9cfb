"""What the case page shows a member of staff, and the record that they looked. Built on
bot.cases.view (the CLI's view of a case) with what only the console has: internal notes,
attachments behind a click, who else opened the case, and the people it can go to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql import Select

from bot.cases import access, audit_trail
from bot.cases.codes import normalize_case_code
from bot.cases.notes import NoteLine, notes_for
from bot.cases.view import CaseView, case_view
from bot.console.directory_names import Person, directory_names
from bot.storage.db import plain_rows
from bot.storage.models import Attachment, Case, Referral, Responder

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
    notes: list[NoteLine]
    attachments: list[AttachmentLine]
    viewers: list[Viewer]
    crisis_messages: list[tuple[datetime | None, str]]
    colleagues: list[Person]
    services: list[Person]


# What the page shows of the case itself, loaded with it rather than one query at a time.
_WITH_PAGE = (
    joinedload(Case.school),
    joinedload(Case.municipality),
    joinedload(Case.owner),
    # A case has a few referrals: joined, as one query (selectinload costs a millisecond).
    joinedload(Case.referrals).joinedload(Referral.responder),
)


def visible_case(session: Session, typed_code: str, responder: Responder) -> Case | None:
    """The case a code names, when this responder may see it; None otherwise (the page
    answers 403 either way, so that a code's existence does not leak)."""
    code = normalize_case_code(typed_code or "")
    if not code:
        return None
    query = _case_query(access.visibility_key(responder))
    return session.scalars(query, {"code": code}).unique().one_or_none()


@lru_cache(maxsize=1024)
def _case_query(visibility: access.VisibilityKey) -> Select:
    """Built once per reader and process: its loader options cost more to build than to run."""
    condition = access.visible_cases_by_key(visibility)
    return select(Case).where(Case.code == bindparam("code"), condition).options(*_WITH_PAGE)


def record_view(session: Session, case: Case, responder: Responder, kind: str, what: str) -> None:
    audit_trail.append(session, case.id, kind, what, actor=responder.code)


def _viewers(view: CaseView, reader: Responder, names: dict[str, str]) -> list[Viewer]:
    """Who else opened the case, exported it or an attachment: from its trail, latest first."""
    seen: dict[str, list[datetime]] = {}
    for event in view.events:
        if event.kind in VIEW_KINDS and event.actor != reader.code and event.at is not None:
            seen.setdefault(event.actor, []).append(event.at)
    viewers = [Viewer(code, names.get(code, code), max(times), len(times)) for code, times in seen.items()]
    return sorted(viewers, key=lambda viewer: viewer.last_at, reverse=True)


_ATTACHMENTS = (
    select(Attachment.id, Attachment.kind, Attachment.created_at)
    .where(Attachment.case_id == bindparam("case_id"))
    .order_by(Attachment.id)
)


def case_page(session: Session, case: Case, reader: Responder) -> CasePage:
    view = case_view(session, case)
    attachments = plain_rows(session, _ATTACHMENTS, {"case_id": case.id})
    notes = notes_for(session, case, reader)
    # The directory's names, read again if the case's school or referrals are new to them.
    names = directory_names(session, [(case.school_id, None, r.responder_id) for r in case.referrals])
    # The people a case can go to: anyone active (for the coordinator's reassignment, those
    # who may see it), and the services (for a referral, which a service does not make).
    people = sorted((p for p in names.people.values() if p.may_own), key=lambda p: p.code)
    return CasePage(
        view=view,
        notes=notes,
        attachments=[AttachmentLine(number, kind or "file", at) for number, kind, at in attachments],
        viewers=_viewers(view, reader, {p.code: p.name for p in names.people.values()}),
        crisis_messages=[(e.at, e.body) for e in view.events if e.kind.startswith(CRISIS_EVENT_PREFIX)],
        colleagues=access.who_may_see(case, people) if access.may_reassign(reader) else [],
        services=[p for p in people if p.kind == "service"] if access.role_of(reader) != "service" else [],
    )


def attachment_of(session: Session, case: Case, attachment_id: int) -> Attachment | None:
    found = session.get(Attachment, attachment_id)
    return found if found is not None and found.case_id == case.id else None
