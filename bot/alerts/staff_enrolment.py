"""Linking a responder to their Telegram chat with a one-time enrolment code.

`hotline staff enrol CODE` issues the code (shown once); the person sends it to the
hotline's Telegram bot, whose channel calls `redeem` with the chat id. Only a keyed hash of
the code is stored (HMAC with HOTLINE_SECRET_KEY, so it can be looked up without knowing
whose it is; a slow salted hash could not be). The code has 8 characters from a 31-letter
alphabet (about 2^39 values) and lives 72 hours; a chat that sends five wrong codes is
locked out for 15 minutes, so guessing one online is out of reach."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.codes import CODE_ALPHABET
from bot.privacy.lockout import count_failure, is_locked, lock_for
from bot.privacy.pseudonyms import pseudonym
from bot.storage.models import Responder, utcnow

CODE_LENGTH = 8
VALIDITY = timedelta(hours=72)
# Cyrillic letters that look like Latin ones, for a code typed on a Cyrillic keyboard.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТХУЈЅ", "ABEKMHOPCTXYJS")
_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


class EnrolmentError(LookupError):
    """No active responder with that code."""


@dataclass(frozen=True)
class IssuedEnrolment:
    """What the operator is shown once."""

    responder_code: str
    responder_name: str
    code: str
    expires_at: datetime


def normalize_enrolment_code(typed: str) -> str | None:
    """The 8 characters of what was typed ("abcd-efgh", "ABCD EFGH"), or None."""
    compact = re.sub(r"[\s\-_.]", "", typed.upper().translate(_LOOKALIKES))
    return compact if _CODE_RE.match(compact) else None


def _code_hash(compact: str) -> str:
    return pseudonym("staff-enrol", compact)


def issue(
    session: Session, responder_code: str, now: datetime | None = None, validity: timedelta = VALIDITY
) -> IssuedEnrolment:
    """A new enrolment code for the responder; an earlier one stops working."""
    responder = session.scalars(
        select(Responder).where(Responder.code == responder_code, Responder.active.is_(True))
    ).one_or_none()
    if responder is None:
        raise EnrolmentError(f"no active responder with code '{responder_code}'")
    compact = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires_at = (now or utcnow()) + validity
    responder.enrol_code_hash, responder.enrol_expires_at = _code_hash(compact), expires_at
    session.flush()
    return IssuedEnrolment(responder.code, responder.name, f"{compact[:4]}-{compact[4:]}", expires_at)


def redeem(session: Session, typed_code: str, chat_id: str | int, now: datetime | None = None) -> Responder | None:
    """Link the chat to the responder whose code this is and spend the code. None for a
    wrong, used or expired code, and while the chat is locked out; the caller answers all
    of these alike."""
    now, chat = now or utcnow(), str(chat_id).strip()
    lock = lock_for(session, "staff-enrol-lock", chat)  # the check-in's table, its own namespace
    if is_locked(lock.locked_until, now):
        return None
    compact = normalize_enrolment_code(typed_code)
    responder = (
        session.scalars(
            select(Responder).where(Responder.enrol_code_hash == _code_hash(compact), Responder.active.is_(True))
        ).first()
        if compact
        else None
    )
    expires_at = responder.enrol_expires_at if responder else None
    if responder is None or expires_at is None or expires_at <= now:
        if responder is not None:  # an expired code is of no further use
            responder.enrol_code_hash = responder.enrol_expires_at = None
        count_failure(lock, now)
        session.flush()
        return None
    responder.telegram_chat_id = chat
    responder.enrol_code_hash = responder.enrol_expires_at = None
    lock.failures = 0
    session.flush()
    return responder
