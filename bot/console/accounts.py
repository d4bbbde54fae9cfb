"""Console accounts: an administrator invites a responder of the directory (a one-time link,
valid 72 hours); the invited person sets a password and enrols TOTP; sign-in asks for both.
A wrong password and a wrong code get the same answer, and five failures lock the account
for 15 minutes (bot.privacy.lockout). A reset revokes the password and the second factor."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import settings
from bot.console import passwords, sessions, two_factor
from bot.privacy.lockout import count_failure, is_locked, lock_for
from bot.privacy.sealing import seal, unseal
from bot.storage.models import Responder, StaffAccount

INVITE_VALIDITY = timedelta(hours=72)
LOCK_NAMESPACE = "console-sign-in"


class AccountError(ValueError):
    """An account command that cannot be done, with the reason to show."""


@dataclass(frozen=True)
class Invitation:
    responder_code: str
    responder_name: str
    link: str
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hmac.new(settings.secret_key(), token.encode(), hashlib.sha256).hexdigest()


def _responder(session: Session, code: str) -> Responder:
    responder = session.scalars(
        select(Responder).where(Responder.code == code, Responder.active.is_(True))
    ).one_or_none()
    if responder is None:
        raise AccountError(f"no active responder with code '{code}' (see `hotline staff list`)")
    return responder


def _account(session: Session, responder: Responder) -> StaffAccount:
    account = session.scalars(select(StaffAccount).where(StaffAccount.responder_id == responder.id)).one_or_none()
    if account is None:
        account = StaffAccount(responder_id=responder.id)
        session.add(account)
    return account


def _revoke(session: Session, account: StaffAccount) -> None:
    if account.id is not None:
        sessions.end_everywhere(session, account.id)
    account.password_hash = None
    account.sealed_totp_secret = None
    account.totp_last_step = None
    account.activated_at = None


def invite(session: Session, responder_code: str, now: datetime) -> Invitation:
    """A one-time link for a responder to set a password and TOTP. It replaces whatever the
    account had: the person sets both anew."""
    responder = _responder(session, responder_code)
    account = _account(session, responder)
    token = secrets.token_urlsafe(32)
    _revoke(session, account)
    account.invite_token_hash = _token_hash(token)
    account.invite_expires_at = now + INVITE_VALIDITY
    session.flush()
    return Invitation(
        responder.code, responder.name, f"{settings.console_public_url()}/invite/{token}", account.invite_expires_at
    )


def reset(session: Session, responder_code: str) -> None:
    """Revoke the password, the second factor and any open invitation."""
    responder = _responder(session, responder_code)
    account = _account(session, responder)
    _revoke(session, account)
    account.invite_token_hash = account.invite_expires_at = None
    session.flush()


def invited_account(session: Session, token: str, now: datetime) -> StaffAccount | None:
    """The account an invitation link opens, while it is valid."""
    account = session.scalars(
        select(StaffAccount).where(StaffAccount.invite_token_hash == _token_hash(token))
    ).one_or_none()
    if account is None or account.invite_expires_at is None or account.invite_expires_at <= now:
        return None
    return account


def accept_invitation(
    session: Session, account: StaffAccount, password: str, totp_secret: str, code: str, now: datetime
) -> list[str]:
    """Set the password and the second factor from an invitation; the problems that stop it,
    as keys of the console's texts (empty when the account is active now). The code proves
    the authenticator holds the secret."""
    responder = account.responder
    problems = passwords.problems(password, also_not=(responder.code, responder.name or ""))
    step = two_factor.accepted_step(totp_secret, code, now, None)
    if step is None:
        problems.append("otp_not_current")
    if problems:
        return problems
    account.password_hash = passwords.hash_password(password)
    account.sealed_totp_secret = seal(totp_secret)
    account.totp_last_step = step
    account.invite_token_hash = account.invite_expires_at = None
    account.activated_at = now
    session.flush()
    return []


SignIn = Literal["ok", "refused", "locked"]


def sign_in(
    session: Session, responder_code: str, password: str, code: str, now: datetime
) -> tuple[SignIn, StaffAccount | None]:
    """Password and TOTP code together. "refused" says nothing about which was wrong, or
    whether the account exists."""
    code_typed = responder_code.strip().lower()
    lock = lock_for(session, LOCK_NAMESPACE, code_typed)
    if is_locked(lock.locked_until, now):
        return "locked", None
    responder = session.scalars(
        select(Responder).where(Responder.code == code_typed, Responder.active.is_(True))
    ).one_or_none()
    account = (
        None
        if responder is None
        else session.scalars(select(StaffAccount).where(StaffAccount.responder_id == responder.id)).one_or_none()
    )
    password_ok = passwords.verify_password(account.password_hash if account else None, password)
    step = None
    if password_ok and account is not None and account.sealed_totp_secret:
        step = two_factor.accepted_step(unseal(account.sealed_totp_secret), code, now, account.totp_last_step)
    if account is None or step is None:
        count_failure(lock, now)
        return ("locked" if is_locked(lock.locked_until, now) else "refused"), None
    account.totp_last_step = step
    lock.failures = 0
    return "ok", account
