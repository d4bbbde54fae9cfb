"""Helpers for the console tests: accounts opened through the real invitation, sessions
started as a sign-in starts them, and a client that carries a session's cookie and CSRF
token."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from bot.console import accounts, sessions, two_factor
from bot.console.app import create_app
from bot.console.web import SESSION_COOKIE
from bot.storage.db import session_scope
from bot.storage.models import Responder, StaffAccount, utcnow

PASSWORD = "zeleni most iznad Cetine"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def open_account(engine: Engine, code: str, now: datetime | None = None) -> None:
    """An active account for the responder `code`, opened by invitation as a person would."""
    moment = now or utcnow()
    with session_scope(engine) as session:
        accounts.invite(session, code, moment)
        account = session.scalars(select(StaffAccount).join(Responder).where(Responder.code == code)).one()
        problems = accounts.accept_invitation(
            session, account, PASSWORD, SECRET, two_factor.code_for(SECRET, moment), moment
        )
        assert problems == []


def session_token(engine: Engine, code: str, now: datetime | None = None) -> str:
    """A console session for the responder `code` (its account opened if need be), as a
    successful sign-in starts one."""
    with session_scope(engine) as session:
        account = session.scalars(select(StaffAccount).join(Responder).where(Responder.code == code)).one_or_none()
    if account is None or account.activated_at is None:
        open_account(engine, code, now)
    with session_scope(engine) as session:
        account = session.scalars(select(StaffAccount).join(Responder).where(Responder.code == code)).one()
        return sessions.start(session, account, "en", now or utcnow())


def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine), follow_redirects=False)


def signed_in(engine: Engine, code: str) -> TestClient:
    """A client signed in as `code`, with the session's CSRF token in its headers."""
    browser = client(engine)
    browser.cookies.set(SESSION_COOKIE, session_token(engine, code))
    home = browser.get("/admin" if code == "k10-admin" else "/queue")
    found = CSRF.search(home.text)  # every form of a signed-in page carries the token
    assert found, home.text[:500]
    browser.headers["x-csrftoken"] = found.group(1)
    return browser
