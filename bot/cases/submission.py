"""Cases: creating them from a report or a crisis, and the reporter's check-in with code
and PIN, with lock-out after repeated failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alerts.compose import forward_to_alerted
from bot.cases import audit_trail
from bot.cases.attachments import attach_to_case
from bot.cases.codes import hash_pin, new_case_code, new_pin
from bot.cases.report import Report
from bot.intake.choices import MAX_DESCRIPTION
from bot.privacy.reporter_addresses import CRISIS_SEEN, request_contact
from bot.routing.referrals import route_case
from bot.storage.models import Case, CaseEvent, utcnow


@dataclass(frozen=True)
class IssuedCase:
    """What the reporter is shown once: the code and the PIN in clear, and by when
    someone will have looked at the case."""

    case_id: int
    code: str
    pin: str
    deadline: datetime | None = None


def _record(session: Session, case: Case, kind: str, body: str | None = None) -> CaseEvent:
    return audit_trail.record(session, case, kind, body)


def _unused_code(session: Session) -> str:
    # A clash among 32^8 random codes is rare; a code in use is simply drawn again. (No
    # savepoint: with SQLite's driver, releasing one would commit the case on its own,
    # outside the transaction that must also hold its referrals and alerts.)
    for _ in range(5):
        code = new_case_code()
        if session.scalars(select(Case.id).where(Case.code == code)).first() is None:
            return code
    raise RuntimeError("could not allocate a unique case code")


def _new_case(session: Session) -> tuple[Case, str]:
    pin = new_pin()
    case = Case(code=_unused_code(session), pin_hash=hash_pin(pin), status="new", created_at=utcnow())
    session.add(case)
    session.flush()
    return case, pin


def _given(new: Any, old: Any) -> Any:
    return old if new is None else new


def _apply_report(case: Case, report: Report) -> None:
    case.incident_type = _given(report.incident_type, case.incident_type)
    case.discrimination_ground = _given(report.discrimination_ground, case.discrimination_ground)
    case.affected = _given(report.affected, case.affected)
    case.reporter_role = _given(report.reporter_role, case.reporter_role)
    case.school_id = _given(report.school_id, case.school_id)
    case.municipality_id = _given(report.municipality_id, case.municipality_id)
    case.incident_time = _given(report.incident_time, case.incident_time)
    case.description = _given(report.description, case.description)
    case.danger_now = _given(report.danger_now, case.danger_now)
    case.contact_ok = _given(report.contact_ok, case.contact_ok)
    case.legal_aid_ok = _given(report.legal_aid_ok, case.legal_aid_ok)
    case.language = _given(report.language, case.language)
    case.script = _given(report.script, case.script)
    case.channel = _given(report.channel, case.channel)


def record_crisis(session: Session, kind: str, report: Report, message: str, conversation_id: str | None = None) -> int:
    """A critical case for a crisis message, with whatever is known so far. The
    conversation's address is kept for one message: that an adult has seen it."""
    case, _pin = _new_case(session)
    case.severity = "critical"
    case.crisis_kind = kind
    _apply_report(case, report)
    _record(session, case, f"crisis_{kind}", message)
    session.flush()
    if conversation_id:
        request_contact(session, conversation_id, case.id, purpose=CRISIS_SEEN)
    route_case(session, case, utcnow())  # the alerts leave with this transaction
    return case.id


def add_crisis_message(session: Session, case_id: int, kind: str, message: str) -> None:
    """A further crisis message in a conversation that already opened a critical case: it
    joins the case's trail and its description, and goes at once to the staff already
    alerted, as a message on the case (no new case, no new alert)."""
    case = session.get(Case, case_id)
    if case is None:
        return
    event = _record(session, case, f"crisis_{kind}", message)
    if case.description and message not in case.description:
        case.description = f"{case.description}\n{message}"[:MAX_DESCRIPTION]
    elif not case.description:
        case.description = message[:MAX_DESCRIPTION]
    session.flush()
    forward_to_alerted(session, case, message, f"crisis-message:{case.id}:{event.id}")


def submit_report(
    session: Session, report: Report, crisis_case_id: int | None = None, conversation_id: str | None = None
) -> IssuedCase:
    """Store a finished report and issue its code and a fresh PIN.

    A report that follows a crisis completes the case the crisis opened, so staff see one
    case, not two."""
    case = session.get(Case, crisis_case_id) if crisis_case_id else None
    pin = new_pin()
    if case is None:
        case, pin = _new_case(session)
    else:
        case.pin_hash = hash_pin(pin)
    _apply_report(case, report)
    _record(session, case, "reported", None)
    session.flush()
    if conversation_id:
        attach_to_case(session, conversation_id, case.id)
        if report.contact_ok:
            request_contact(session, conversation_id, case.id)
    route_case(session, case, utcnow())  # the alerts leave with this transaction
    return IssuedCase(case.id, case.code, pin, case.ack_deadline_at)
