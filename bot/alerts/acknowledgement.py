"""Acknowledging a case: by a button in the staff bot, an SMS `OK <code>`, or the CLI.
The first acknowledgement by someone in the case's chain makes them its owner and stops
escalation; a service acknowledges its own referral only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import audit_trail
from bot.followup.thread import case_by_code, may_act_on, notify_reporter, tell_crisis_seen
from bot.storage.models import Case, Referral, Responder

AckOutcome = Literal["acknowledged", "already", "unknown_case"]


@dataclass(frozen=True)
class AckResult:
    outcome: AckOutcome
    code: str
    owner_name: str | None = None


def acknowledge(session: Session, typed_code: str, responder: Responder, via: str, now: datetime) -> AckResult:
    case = case_by_code(session, typed_code)
    if case is None or not may_act_on(session, case, responder):
        return AckResult("unknown_case", typed_code.strip().upper())
    referral = session.scalars(
        select(Referral).where(Referral.case_id == case.id, Referral.responder_id == responder.id)
    ).one_or_none()
    first = referral is not None and referral.status != "acknowledged"
    if first:
        referral.status, referral.acknowledged_at = "acknowledged", now
    in_chain = referral is None or referral.in_chain  # the coordinator may take any case
    if in_chain and case.acknowledged_at is None and case.closed_at is None:
        _take_ownership(session, case, responder, via, now)
        return AckResult("acknowledged", case.code, responder.name)
    if first:
        audit_trail.record(session, case, "acknowledged_referral", f"via {via}", actor=responder.code)
    owner = case.owner.name if case.owner else None
    if first and not in_chain and case.closed_at is None:
        return AckResult("acknowledged", case.code, owner)  # a service has its referral
    # Owned, closed, or this service's referral acknowledged before: nothing changes (a
    # closed case is not reopened, nor its reporter told that someone saw it).
    return AckResult("already", case.code, owner or (None if in_chain else responder.name))


def _take_ownership(session: Session, case: Case, responder: Responder, via: str, now: datetime) -> None:
    case.acknowledged_at, case.owner, case.ack_deadline_at = now, responder, None
    case.status = "acknowledged"
    audit_trail.record(session, case, "acknowledged", f"via {via}", actor=responder.code)
    if case.severity == "critical":
        tell_crisis_seen(session, case, responder)
    else:
        notify_reporter(session, case, "acknowledged")
