"""The reporter's check-in: a case code and PIN typed in any form, wrong ones counted (five
lock the conversation and the case for 15 minutes), and what the reporter may read: the
status in their words, the latest update, and the messages staff wrote to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import audit_trail
from bot.cases.codes import normalize_case_code, normalize_pin, verify_pin
from bot.followup import thread as followup
from bot.privacy.lockout import LOCK_DURATION, MAX_FAILURES, count_failure, is_locked, lock_for
from bot.storage.models import Case, CheckLock, utcnow

__all__ = ["MAX_FAILURES", "CheckResult", "check_case", "reporter_status"]


# What the reporter is told of a case's status; staff statuses are finer.
_REPORTER_STATUS = {"new": "new", "closed": "closed"}


def reporter_status(status: str | None) -> str:
    return _REPORTER_STATUS.get(status or "new", "in_progress")


CheckOutcome = Literal["ok", "invalid", "locked"]


@dataclass(frozen=True)
class CheckResult:
    outcome: CheckOutcome
    case: Case | None = None
    latest_update: str | None = None
    staff_messages: tuple[str, ...] = ()


def _fail(session: Session, case: Case | None, lock: CheckLock, now: datetime) -> CheckResult:
    count_failure(lock, now)
    if case is not None:
        case.failed_checks += 1
        if case.failed_checks >= MAX_FAILURES:
            case.locked_until, case.failed_checks = now + LOCK_DURATION, 0
            audit_trail.record(session, case, "locked", "too many failed checks")
    locked = is_locked(lock.locked_until, now) or (case is not None and is_locked(case.locked_until, now))
    return CheckResult("locked" if locked else "invalid")


def check_case(
    session: Session, conversation_id: str, typed_code: str, typed_pin: str, now: datetime | None = None
) -> CheckResult:
    """Verify code and PIN. Wrong code and wrong PIN look the same to the reporter."""
    now = now or utcnow()
    lock = lock_for(session, "check", conversation_id)
    if is_locked(lock.locked_until, now):
        return CheckResult("locked")
    code, pin = normalize_case_code(typed_code), normalize_pin(typed_pin)
    case = session.scalars(select(Case).where(Case.code == code)).one_or_none() if code else None
    if case is not None and is_locked(case.locked_until, now):
        return CheckResult("locked")
    if case is None or pin is None or not verify_pin(case.pin_hash, pin):
        return _fail(session, case, lock, now)
    case.failed_checks, lock.failures = 0, 0
    audit_trail.record(session, case, "checked_by_reporter")
    updates = [e.body for e in case.events if e.visible_to_reporter and e.body]
    messages = tuple(followup.take_unread(session, case, now))
    if messages:  # what they write next is their answer, in whichever channel they use
        followup.open_window(session, conversation_id, case.id, now)
    return CheckResult("ok", case, updates[-1] if updates else None, messages)
