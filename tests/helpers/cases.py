"""Helpers shared by the case tests (routing, alerts, acknowledgement, escalation, follow-up,
outbox, worker): building a stored or routed case on the sample directory, and reading back
what routing and the follow-up thread left in the database."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.codes import new_case_code
from bot.privacy import reporter_addresses
from bot.routing.referrals import route_case
from bot.storage.models import Case, CaseEvent, OutboxMessage, Referral, Responder, School

# Wednesday 15 January 2025, 10:00 in the canton (UTC+1): every sample service is on duty.
T0 = datetime(2025, 1, 15, 9, 0, tzinfo=timezone.utc)

# The fields of a report every case test starts from; each test file adds its channel,
# script and anything else it needs.
BULLYING_REPORT: dict[str, Any] = {
    "incident_type": "bullying",
    "affected": "me",
    "reporter_role": "student",
    "description": "They call me names every day.",
    "language": "bcs",
}


def school_id(session: Session, code: str) -> int:
    """The id of the school with this code."""
    return session.scalars(select(School.id).where(School.code == code)).one()


def responder(session: Session, code: str) -> Responder:
    """The responder (staff member or service) with this code."""
    return session.scalars(select(Responder).where(Responder.code == code)).one()


def new_case(session: Session, school: str | None = "livno-os-1", **fields: Any) -> Case:
    """A stored, not yet routed case at `school` (None: no school named), as
    cases.submit_report builds it before routing."""
    case = Case(
        code=new_case_code(),
        pin_hash="x",
        status="new",
        school_id=school_id(session, school) if school else None,
        **fields,
    )
    session.add(case)
    session.flush()
    return case


def routed(session: Session, school: str | None = "livno-os-1", now: datetime = T0, **fields: Any) -> Case:
    """A new case at `school`, routed by bot.routing.referrals.route_case at `now` (its referrals,
    alerts and deadline stored)."""
    case = new_case(session, school=school, **fields)
    route_case(session, case, now)
    session.flush()
    return case


def referral(session: Session, case: Case, code: str) -> Referral:
    """The case's referral to the responder with this code."""
    return session.scalars(
        select(Referral).where(Referral.case_id == case.id, Referral.responder_id == responder(session, code).id)
    ).one()


def referrals(session: Session, case: Case) -> dict[str, Referral]:
    """The case's referrals by responder code, in the order they were made."""
    rows = session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id))
    return {r.responder.code: r for r in rows}


def alerted(session: Session, case: Case, reminders: bool = True) -> list[str]:
    """Codes of the responders with an alert in the outbox, one entry per alert (without
    the reminders: one per first alert)."""
    query = (
        select(Responder.code)
        .join(OutboxMessage, OutboxMessage.responder_id == Responder.id)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.kind == "alert")
        .order_by(OutboxMessage.id)
    )
    if not reminders:
        query = query.where(OutboxMessage.dedupe_key.not_like("%:reminder-%"))
    return [code for (code,) in session.execute(query)]


def events(session: Session, case: Case, kind: str) -> list[CaseEvent]:
    """The case's events of this kind, oldest first."""
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind).order_by(CaseEvent.id)
        )
    )


def event_bodies(session: Session, case: Case, kind: str) -> list[str]:
    """The bodies of the case's events of this kind, oldest first."""
    return [event.body for event in events(session, case, kind)]


def to_reporter(session: Session, case: Case) -> list[OutboxMessage]:
    """The outbox rows addressed to the case's reporter, oldest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.case_id == case.id, OutboxMessage.channel == "reporter")
            .order_by(OutboxMessage.id)
        )
    )


def contactable(
    session: Session,
    case: Case,
    conversation: str = "conv-1",
    channel: str = "telegram",
    address: str = "555000111",
    purpose: reporter_addresses.Purpose = reporter_addresses.FOLLOWUP,
) -> None:
    """Let the case's reporter be written to: a contact-vault entry for `conversation`,
    linked to the case and filled with `address` on `channel` (with CRISIS_SEEN, only
    for the message that an adult has seen a crisis)."""
    reporter_addresses.request_contact(session, conversation, case.id, purpose=purpose)
    session.flush()
    reporter_addresses.fill(session, conversation, channel, address)
