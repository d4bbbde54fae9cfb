"""Giving a case an owner. Taking it yourself is an acknowledgement (it stops escalation,
as from the staff bot); giving it to someone else is the coordinator's, and the new owner
is told on their own channel."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from bot.alerts import compose as alerts
from bot.alerts.acknowledgement import acknowledge
from bot.cases import access, audit_trail
from bot.followup.texts import staff_text
from bot.storage.models import Case, Responder

AssignOutcome = Literal["assigned", "taken", "not_allowed"]


def assign(session: Session, case: Case, to: Responder, by: Responder, via: str, now: datetime) -> AssignOutcome:
    if not access.may_see(session, case, by) or not access.may_see(session, case, to) or case.closed_at:
        return "not_allowed"
    if to.id == by.id:
        if case.acknowledged_at is None:
            acknowledge(session, case.code, by, via=via, now=now)
        if case.owner_id != by.id:
            case.owner = by
            audit_trail.record(session, case, "assigned", f"{by.code} took the case", actor=by.code)
        return "taken"
    if not access.may_reassign(by):
        return "not_allowed"
    case.owner = to
    audit_trail.record(session, case, "assigned", f"to {to.code}", actor=by.code)
    body = staff_text("assigned", to.language, code=case.code, by=by.name or by.code)
    alerts.queue_staff_message(session, to, body, f"assigned:{case.id}:{to.id}:{int(now.timestamp())}", case_id=case.id)
    return "assigned"
