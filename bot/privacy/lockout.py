"""Lock-out after repeated wrong codes: five failures lock a key (a conversation's case
check-in, a chat's staff enrolment, a console account's sign-in) for 15 minutes. Keys are keyed pseudonyms, never a
raw conversation or chat id."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.privacy.pseudonyms import pseudonym
from bot.storage.models import CheckLock

MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)


def lock_for(session: Session, namespace: str, identifier: str) -> CheckLock:
    key = pseudonym(namespace, identifier)
    lock = session.scalars(select(CheckLock).where(CheckLock.conversation_key == key)).one_or_none()
    if lock is None:
        lock = CheckLock(conversation_key=key, failures=0)
        session.add(lock)
    return lock


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    until = locked_until
    return until is not None and until > now


def count_failure(lock: CheckLock, now: datetime) -> None:
    lock.failures = (lock.failures or 0) + 1
    if lock.failures >= MAX_FAILURES:
        lock.locked_until, lock.failures = now + LOCK_DURATION, 0
