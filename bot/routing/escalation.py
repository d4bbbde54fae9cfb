"""Escalation: a case nobody in its chain acknowledged by the deadline climbs the call-down
chain (data/hotline/routing.yml `escalation_chain`), one step per missed deadline, each step a case
event. Everyone alerted before gets a numbered reminder that says what changed ("3rd
reminder: nobody has acknowledged yet; now also sent to ..."). The state is the case's
deadline and step in the database, so it survives any restart; the worker calls
`escalate_due` on every tick."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alerts.compose import FORWARDED_STATUSES, queue_alert
from bot.cases import audit_trail
from bot.routing.deadlines import escalation_due, format_local
from bot.routing.referrals import refer, referral_for
from bot.routing.responders import resolve
from bot.routing.triage import escalation_chain
from bot.storage.models import Case, Referral, Responder

MAX_REMINDERS = 3


def due_cases(session: Session, now: datetime) -> list[Case]:
    return list(
        session.scalars(
            select(Case)
            .where(
                Case.acknowledged_at.is_(None),
                Case.closed_at.is_(None),
                Case.ack_deadline_at.is_not(None),
                Case.ack_deadline_at <= now,
            )
            .order_by(Case.ack_deadline_at)
        )
    )


def due_case_ids(session: Session, now: datetime) -> list[int]:
    return [case.id for case in due_cases(session, now)]


def escalate_case(session: Session, case_id: int, now: datetime) -> bool:
    """Escalate one case if it is still due (another worker, an acknowledgement or a
    closing may have come first); True when it climbed a step."""
    case = session.get(Case, case_id)
    if case is None or case.acknowledged_at is not None or case.closed_at is not None:
        return False
    deadline = case.ack_deadline_at
    if deadline is None or deadline > now:
        return False
    return escalate(session, case, now)


def escalate(session: Session, case: Case, now: datetime) -> bool:
    """Alert the next contacts of the chain; False when the chain is used up."""
    chain = escalation_chain()
    missed_at = case.ack_deadline_at  # SQLite reads it back without its zone
    missed = format_local(missed_at, "en") if missed_at else "-"
    step = case.escalation_step or 0
    while step < len(chain):
        selector = chain[step]
        step += 1
        fresh = [
            r
            for r in resolve(session, selector, case.school_id, case.municipality_id, now)
            if referral_for(session, case, r) is None
        ]
        if not fresh:
            continue  # nobody new at this step (e.g. no backup counsellor): the next one
        # The new deadline first: the alerts queued below tell it.
        case.escalation_step = step
        case.ack_deadline_at = escalation_due(case.severity or "medium", now)
        earlier = _chain_referrals(case)
        for responder in fresh:
            refer(session, case, responder, f"escalation:{selector}", in_chain=True, step=step)
        # Those alerted before hear what changed: still nobody, and who has it now too.
        _queue_reminders(session, case, earlier, added=fresh)
        audit_trail.record(
            session,
            case,
            "escalated",
            f"step {step}: {selector} -> {', '.join(r.code for r in fresh)}; not acknowledged by {missed}",
        )
        return True
    case.escalation_step = step
    return _remind(session, case, now, missed)


def _chain_referrals(case: Case) -> list[Referral]:
    """The referrals whose people must acknowledge and were (or are being) alerted."""
    return [r for r in case.referrals if r.in_chain and r.status in FORWARDED_STATUSES]


def _queue_reminders(session: Session, case: Case, referrals: list[Referral], added: list[Responder]) -> None:
    """The next numbered reminder (the Nth of the case), with the same content as the
    alert, to each of `referrals`, saying who else was alerted now (or, with nobody
    added, who has it)."""
    number = 1 + sum(1 for event in case.events if event.kind in ("escalated", "reminded"))
    for referral in referrals:
        queue_alert(session, case, referral, reminder=number, added=added, everyone=[r.responder for r in referrals])


def _remind(session: Session, case: Case, now: datetime, missed: str) -> bool:
    """The chain is used up and still nobody acknowledged: everyone alerted in it gets a
    reminder, one round per escalation interval, MAX_REMINDERS rounds; then the case is
    left to the coordinator's list (`hotline case list --open`), recorded once."""
    done = sum(1 for event in case.events if event.kind == "reminded")
    chain_referrals = _chain_referrals(case)
    if done >= MAX_REMINDERS or not chain_referrals:
        case.ack_deadline_at = None
        audit_trail.record(
            session,
            case,
            "escalation_exhausted",
            f"every contact of the chain was alerted and reminded; not acknowledged by {missed}",
        )
        return False
    case.ack_deadline_at = escalation_due(case.severity or "medium", now)
    _queue_reminders(session, case, chain_referrals, added=[])
    audit_trail.record(
        session,
        case,
        "reminded",
        f"round {done + 1}: {', '.join(r.responder.code for r in chain_referrals)}; not acknowledged by {missed}",
    )
    return True


def escalate_due(session: Session, now: datetime) -> int:
    """Escalate every case whose deadline passed; returns how many climbed a step (a case
    whose chain is used up is recorded, not counted)."""
    return sum(escalate(session, case, now) for case in due_cases(session, now))
