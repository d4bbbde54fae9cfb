"""The console's defences, over HTTP against a real database: CSRF, sign-in with password
and TOTP, the lock-out and the per-IP limit, session expiry, the response headers, text
from reporters rendered inert, and no trace of a reporter's address in any page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from bot.console import two_factor
from bot.console.app import create_app
from bot.console.security import AttemptLimit
from bot.console.web import SESSION_COOKIE
from bot.followup.thread import reporter_answer
from bot.privacy.pseudonyms import pseudonym
from bot.storage.db import session_scope
from bot.storage.models import Case, ConsoleSession, utcnow
from tests.helpers.cases import BULLYING_REPORT, contactable, routed
from tests.helpers.console import CSRF, PASSWORD, SECRET, client, open_account, signed_in

COUNSELLOR = "livno-os-1-pedagogue"
HOSTILE = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">klikni</a>',
]


def _case(engine: Engine, **fields: object) -> str:
    with session_scope(engine) as session:
        return routed(session, **{**BULLYING_REPORT, **fields}).code


def _sign_in_form(browser: TestClient) -> str:
    page = browser.get("/sign-in")
    return CSRF.search(page.text).group(1)


def _sign_in(browser: TestClient, password: str = PASSWORD, code: str | None = None, who: str = COUNSELLOR):
    token = _sign_in_form(browser)
    otp = code if code is not None else two_factor.code_for(SECRET, utcnow())
    return browser.post("/sign-in", data={"csrf_token": token, "code": who, "password": password, "otp": otp})


def _message(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'role="alert">([^<]*)<', response.text).group(1)


# -- CSRF --------------------------------------------------------------------------------
def test_a_change_without_the_session_s_token_is_refused(engine: Engine) -> None:
    browser = signed_in(engine, COUNSELLOR)
    code = _case(engine)
    token = browser.headers.pop("x-csrftoken")
    assert browser.post(f"/cases/{code}/note", data={"body": "bez tokena"}).status_code == 403
    assert browser.post(f"/cases/{code}/note", data={"body": "x", "csrf_token": "forged"}).status_code == 403
    assert browser.post(f"/cases/{code}/note", data={"body": "s tokenom", "csrf_token": token}).status_code == 303
    browser.headers["x-csrftoken"] = token  # htmx sends it as a header
    assert browser.post(f"/cases/{code}/note", data={"body": "zaglavlje"}).status_code == 303
    page = browser.get(f"/cases/{code}").text
    assert "bez tokena" not in page and "s tokenom" in page and "zaglavlje" in page


def test_sign_in_without_the_form_token_is_refused(engine: Engine) -> None:
    open_account(engine, COUNSELLOR)
    browser = client(engine)
    otp = two_factor.code_for(SECRET, utcnow())
    response = browser.post("/sign-in", data={"code": COUNSELLOR, "password": PASSWORD, "otp": otp})
    assert response.status_code == 403 and SESSION_COOKIE not in response.cookies


# -- sign-in -----------------------------------------------------------------------------
def test_password_and_totp_open_a_session_with_strict_cookies(engine: Engine) -> None:
    open_account(engine, COUNSELLOR, utcnow() - timedelta(minutes=2))
    browser = client(engine)
    response = _sign_in(browser)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Secure" not in cookie
    assert browser.get("/queue").status_code == 200


def test_cookies_are_secure_behind_https(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", "https://konzola.javise.example")
    open_account(engine, COUNSELLOR, utcnow() - timedelta(minutes=2))
    browser = TestClient(create_app(engine), base_url="https://testserver", follow_redirects=False)
    response = _sign_in(browser)
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v)
    assert "Secure" in cookie


def test_totp_is_required_and_a_wrong_code_reads_like_a_wrong_password(engine: Engine) -> None:
    open_account(engine, COUNSELLOR, utcnow() - timedelta(minutes=2))
    browser = client(engine)
    no_code, wrong_code = _sign_in(browser, code=""), _sign_in(browser, code="000000")
    wrong_password = _sign_in(browser, password="pogrešna lozinka 123")
    unknown = _sign_in(browser, who="nobody-here")
    assert {r.status_code for r in (no_code, wrong_code, wrong_password, unknown)} == {401}
    assert len({_message(r) for r in (no_code, wrong_code, wrong_password, unknown)}) == 1
    assert browser.get("/queue").status_code == 303


def test_five_failures_lock_the_account_for_15_minutes(engine: Engine) -> None:
    open_account(engine, COUNSELLOR, utcnow() - timedelta(minutes=2))
    browser = client(engine)
    answers = [_sign_in(browser, password="pogrešna lozinka 123").status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 423]
    assert _sign_in(browser).status_code == 423  # the right password and code, locked all the same
    assert browser.get("/queue").status_code == 303


def test_sign_in_attempts_are_limited_per_ip_address(engine: Engine) -> None:
    app = create_app(engine)
    app.state.sign_in_limit = AttemptLimit(3, 900)
    browser = TestClient(app, follow_redirects=False)
    answers = [_sign_in(browser, who=f"nobody-{n}").status_code for n in range(4)]
    assert answers == [401, 401, 401, 429]


# -- sessions ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "idle, age, alive",
    [
        (timedelta(minutes=29), timedelta(hours=1), True),
        (timedelta(minutes=31), timedelta(hours=1), False),
        (timedelta(minutes=1), timedelta(hours=8, minutes=1), False),
    ],
)
def test_sessions_end_after_30_idle_minutes_or_8_hours(engine: Engine, idle, age, alive) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in(engine, COUNSELLOR)
    now = utcnow()
    with session_scope(engine) as session:
        session.execute(update(ConsoleSession).values(last_seen_at=now - idle, created_at=now - age))
    assert browser.get("/queue").status_code == (200 if alive else 303)


def test_logout_ends_every_session_of_the_account(engine: Engine) -> None:
    phone, laptop = signed_in(engine, COUNSELLOR), signed_in(engine, COUNSELLOR)
    assert laptop.post("/sign-out").status_code == 303
    assert phone.get("/queue").status_code == 303
    with session_scope(engine) as session:
        assert session.scalars(select(ConsoleSession)).all() == []


# -- pages -------------------------------------------------------------------------------
def test_headers_forbid_framing_referrers_caching_and_inline_script(engine: Engine) -> None:
    browser = signed_in(engine, COUNSELLOR)
    code = _case(engine)
    for path in ("/queue", f"/cases/{code}", "/sign-in"):
        response = browser.get(path)
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        # No inline script or style to allow: every script is a file of this server.
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", response.text)
        assert not re.search(r"\son\w+=|\sstyle=", response.text)
        assert not re.search(r"(src|href)=\"(https?:)?//", response.text)  # nothing from outside


def test_what_reporters_and_staff_write_renders_as_inert_text(engine: Engine) -> None:
    browser = signed_in(engine, COUNSELLOR)
    code = _case(engine, description="\n".join(HOSTILE))
    with session_scope(engine) as session:
        case_id = session.scalars(select(Case.id).where(Case.code == code)).one()
        reporter_answer(session, case_id, " ".join(HOSTILE))
    browser.post(f"/cases/{code}/note", data={"body": HOSTILE[1]})
    confirm = browser.post(f"/cases/{code}/reply", data={"body": HOSTILE[2]})
    for page in (browser.get(f"/cases/{code}").text, confirm.text, browser.get("/queue").text):
        for hostile in HOSTILE:
            assert hostile not in page
        assert not re.search(r"<img|<a href=\"javascript", page)
    assert "&lt;script&gt;" in browser.get(f"/cases/{code}").text


def test_no_page_holds_a_reporter_s_address_or_pseudonym(engine: Engine) -> None:
    conversation, address = "telegram:8123456789", "8123456789"
    with session_scope(engine) as session:
        case = routed(session, **BULLYING_REPORT, contact_ok=True)
        contactable(session, case, conversation=conversation, address=address)
        code = case.code
        reporter_answer(session, case.id, "Može poslije škole.")
    traces = {address, conversation, pseudonym(conversation), pseudonym("telegram", address)}
    for reader in (COUNSELLOR, "k10-coordinator"):
        browser = signed_in(engine, reader)
        browser.post(f"/cases/{code}/reply", data={"body": "Hvala ti.", "confirmed": "yes"})
        pages = [browser.get(p).text for p in ("/queue", "/queue/rows", f"/cases/{code}", f"/cases/{code}/export")]
        if reader == "k10-coordinator":
            pages.append(browser.get("/audit").text)
        for page in pages:
            assert not any(trace in page for trace in traces), reader
