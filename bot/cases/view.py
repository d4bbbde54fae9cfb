"""A case as staff may see it: triage, the report, referrals, the audit trail, the thread with
the reporter and what its outbox still has to send. Never the reporter's address or contact
details. The CLI prints it; the console will render the same view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.outbox import store as outbox
from bot.storage.db import plain_rows
from bot.storage.models import Case, CaseEvent, CaseMessage, Responder


@dataclass(frozen=True)
class ReferralLine:
    responder_code: str
    role: str
    reason: str
    status: str
    step: int
    in_chain: bool


@dataclass(frozen=True)
class EventLine:
    at: datetime | None
    kind: str
    actor: str
    body: str


@dataclass(frozen=True)
class ThreadMessage:
    at: datetime | None
    to_reporter: bool
    author: str
    read: bool
    body: str


@dataclass(frozen=True)
class CaseView:
    code: str
    severity: str
    severity_reason: str
    status: str
    outcome: str | None
    closed_at: datetime | None
    school: str | None
    municipality: str | None
    incident_type: str | None
    ground: str | None
    crisis_kind: str | None
    affected: str | None
    reporter_role: str | None
    incident_time: str | None
    danger_now: str | None
    language: str
    script: str
    reported_at: datetime | None
    deadline: datetime | None
    acknowledged_at: datetime | None
    owner: str | None
    escalation_step: int
    description: str | None
    referrals: tuple[ReferralLine, ...]
    events: tuple[EventLine, ...]
    thread: tuple[ThreadMessage, ...]
    outbox: dict[str, int]


def event_body(kind: str, body: str | None) -> str:
    """An event's body on one line. A failed send's error text may quote the address it
    was sent to (Twilio: "The 'To' number +387... is not a valid phone number"): of those,
    only the message kind, channel and error type are kept."""
    if kind == "send_failed" and body:
        body = ": ".join(body.split(": ")[:2])
    return " ".join((body or "").split())


# The trail and the thread as plain rows: a case's page reads dozens of events, and the
# ORM's objects for them cost more than the query.
_THREAD = (
    select(CaseMessage.created_at, CaseMessage.direction, Responder.code, CaseMessage.read_at, CaseMessage.body)
    .outerjoin(Responder, CaseMessage.responder_id == Responder.id)
    .where(CaseMessage.case_id == bindparam("case_id"))
    .order_by(CaseMessage.id)
)
_TRAIL = (
    select(CaseEvent.created_at, CaseEvent.kind, CaseEvent.actor, CaseEvent.body)
    .where(CaseEvent.case_id == bindparam("case_id"))
    .order_by(CaseEvent.id)
)


def case_view(session: Session, case: Case) -> CaseView:
    messages = plain_rows(session, _THREAD, {"case_id": case.id})
    return CaseView(
        code=case.code,
        severity=case.severity or "-",
        severity_reason=case.severity_reason or "-",
        status=case.status or "new",
        outcome=case.outcome,
        closed_at=case.closed_at,
        school=f"{case.school.name} ({case.school.code})" if case.school else None,
        municipality=case.municipality.name if case.municipality else None,
        incident_type=case.incident_type,
        ground=case.discrimination_ground,
        crisis_kind=case.crisis_kind,
        affected=case.affected,
        reporter_role=case.reporter_role,
        incident_time=case.incident_time,
        danger_now=case.danger_now,
        language=case.language or "bcs",
        script=case.script or "latin",
        reported_at=case.created_at,
        deadline=case.ack_deadline_at,
        acknowledged_at=case.acknowledged_at,
        owner=f"{case.owner.code} ({case.owner.name})" if case.owner else None,
        escalation_step=case.escalation_step or 0,
        description=case.description,
        referrals=tuple(
            ReferralLine(
                r.responder.code,
                r.responder.role or "-",
                r.reason or "-",
                r.status or "-",
                r.step or 0,
                bool(r.in_chain),
            )
            for r in case.referrals
        ),
        events=tuple(
            EventLine(at, kind, actor or "system", event_body(kind, body))
            for at, kind, actor, body in plain_rows(session, _TRAIL, {"case_id": case.id})
        ),
        thread=tuple(
            ThreadMessage(
                at,
                direction == "to_reporter",
                (author or "staff") if direction == "to_reporter" else "reporter",
                read_at is not None,
                body or "",
            )
            for at, direction, author, read_at, body in messages
        ),
        outbox=outbox.counts(session, case.id),
    )
