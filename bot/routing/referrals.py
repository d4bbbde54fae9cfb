"""Routing a case: its severity and reason (data/hotline/routing.yml), its acknowledgement
deadline, and a referral with an alert for every responder the rules name. Runs in the
transaction that stores the case, so the alerts are in the outbox as soon as the case
exists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alerts import compose as alerts
from bot.cases import audit_trail
from bot.routing.deadlines import ack_deadline
from bot.routing.responders import resolve
from bot.routing.triage import facts_from_case, routing_targets, triage
from bot.storage.models import Case, Referral, Responder


def referral_for(session: Session, case: Case, responder: Responder) -> Referral | None:
    return session.scalars(
        select(Referral).where(Referral.case_id == case.id, Referral.responder_id == responder.id)
    ).one_or_none()


def refer(
    session: Session,
    case: Case,
    responder: Responder,
    reason: str,
    *,
    in_chain: bool,
    step: int = 0,
    needs_consent: bool = False,
    actor: str = "system",
) -> Referral | None:
    """A new referral with its alert queued; None when this responder has one already.
    A referral that needs the reporter's consent waits for it (or is declined); one that
    waited is alerted (or declined) once a later routing knows the answer."""
    referral = referral_for(session, case, responder)
    if referral is not None:
        if referral.status == "awaiting_consent" and case.legal_aid_ok is not None:
            _consented(session, case, referral, reason)
        return None
    referral = Referral(case=case, responder=responder, reason=reason, step=step, in_chain=in_chain, status="pending")
    session.add(referral)
    session.flush()
    if needs_consent and not case.legal_aid_ok:
        referral.status = "declined" if case.legal_aid_ok is False else "awaiting_consent"
        audit_trail.record(session, case, "referral_" + referral.status, f"{responder.code}: {reason}", actor=actor)
        return referral
    _alert(session, case, referral, reason, actor)
    return referral


def _consented(session: Session, case: Case, referral: Referral, reason: str) -> None:
    if case.legal_aid_ok:
        referral.status = "pending"
        _alert(session, case, referral, reason)
    else:
        referral.status = "declined"
        audit_trail.record(session, case, "referral_declined", f"{referral.responder.code}: {reason}")


def _alert(session: Session, case: Case, referral: Referral, reason: str, actor: str = "system") -> None:
    responder = referral.responder
    if alerts.queue_alert(session, case, referral) is None:
        audit_trail.record(session, case, "alert_impossible", f"{responder.code}: no reachable channel")
    audit_trail.record(session, case, "referred", f"{responder.code} ({responder.role}): {reason}", actor=actor)


def route_case(session: Session, case: Case, now: datetime) -> None:
    """Triage and refer. Safe to run again when a case learns more (a crisis case that
    becomes a full report): new responders are added, none is alerted twice, and an
    earlier deadline is never pushed back."""
    facts = facts_from_case(case)
    result = triage(facts)
    case.severity, case.severity_reason = result.severity, result.reason
    if case.acknowledged_at is None and case.closed_at is None:
        deadline = ack_deadline(result.severity, now)
        current = case.ack_deadline_at
        case.ack_deadline_at = min(current, deadline) if current else deadline
    audit_trail.record(session, case, "triaged", f"{result.severity}: {result.reason}")
    for target in routing_targets(facts, result.severity):
        for responder in resolve(session, target.selector, case.school_id, case.municipality_id, now):
            refer(session, case, responder, target.reason, in_chain=target.in_chain, needs_consent=target.needs_consent)
