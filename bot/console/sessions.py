"""Console sessions, kept on the server. The browser's cookie holds a random token; the
database holds its keyed hash, the account, a CSRF token and the language. A session ends
30 minutes after its last request, 8 hours after sign-in, or at logout, which ends every
session of the account."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session, joinedload

from bot.privacy.pseudonyms import pseudonym
from bot.storage.models import ConsoleSession, StaffAccount

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIMIT = timedelta(hours=8)
# The idle clock is written at most once a minute: a write per request would queue every
# page behind the database's write lock (on SQLite, all of them) for no gain.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return pseudonym("console-session", token)


def start(session: Session, account: StaffAccount, language: str, now: datetime) -> str:
    """A new session for a signed-in account; the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_hash(token),
            account_id=account.id,
            csrf_token=secrets.token_urlsafe(32),
            language=language,
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return token


def expired(row: ConsoleSession, now: datetime) -> bool:
    return now - row.last_seen_at >= IDLE_TIMEOUT or now - row.created_at >= ABSOLUTE_LIMIT


# Every request asks: the session, its account and responder in one query, built once.
_BY_TOKEN = (
    select(ConsoleSession)
    .where(ConsoleSession.token_hash == bindparam("token_hash"))
    .options(joinedload(ConsoleSession.account).joinedload(StaffAccount.responder))
)


def current(session: Session, token: str | None, now: datetime) -> ConsoleSession | None:
    """The live session a cookie names, its idle clock restarted; an expired one is deleted."""
    if not token:
        return None
    row = session.scalars(_BY_TOKEN, {"token_hash": _hash(token)}).one_or_none()
    if row is None:
        return None
    if expired(row, now) or row.account is None or row.account.activated_at is None:
        session.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def end_everywhere(session: Session, account_id: int) -> int:
    """Logout: every session of the account ends, on every device."""
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account_id))
    return result.rowcount or 0
