"""An account from end to end in the console: the administrator invites, the person opens
the link, sets a password and enrols TOTP from the QR code, and signs in; a reset revokes
it and ends the person's sessions."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.console import two_factor
from bot.storage.models import utcnow
from tests.helpers.console import CSRF, client, signed_in

WHO = "livno-os-2-principal"
LINK = re.compile(r"http://localhost:8000(/invite/[\w-]+)")


def _invite(engine: Engine) -> str:
    admin = signed_in(engine, "k10-admin")
    page = admin.post(f"/admin/{WHO}/invite")
    assert page.status_code == 200
    return LINK.search(page.text).group(1)


def _enrol(browser, path: str, password: str, again: str | None = None, code: str | None = None):  # type: ignore[no-untyped-def]
    page = browser.get(path)
    secret = re.search(r'name="secret" value="([A-Z2-7]{32})"', page.text).group(1)
    form = {
        "csrf_token": CSRF.search(page.text).group(1),
        "secret": secret,
        "password": password,
        "password_again": again if again is not None else password,
        "otp": code if code is not None else two_factor.code_for(secret, utcnow() - timedelta(seconds=30)),
    }
    return page, browser.post(path, data=form), secret


def test_an_invited_person_sets_a_password_and_totp_then_signs_in(engine: Engine) -> None:
    path = _invite(engine)
    browser = client(engine)
    page, done, secret = _enrol(browser, path, "livanjsko polje u proljeće")
    assert "<svg" in page.text and secret in page.text  # the QR code, and the key to type by hand
    assert done.status_code == 303 and done.headers["location"] == "/sign-in?activated=1"
    assert browser.get(path).status_code == 404  # the link works once
    form = browser.get("/sign-in")
    signed = browser.post(
        "/sign-in",
        data={
            "csrf_token": CSRF.search(form.text).group(1),
            "code": WHO,
            "password": "livanjsko polje u proljeće",
            "otp": two_factor.code_for(secret, utcnow()),
        },
    )
    assert signed.status_code == 303 and browser.get("/queue").status_code == 200


def test_a_weak_password_or_a_wrong_code_is_explained_in_the_reader_s_language(engine: Engine) -> None:
    path = _invite(engine)
    browser = client(engine)
    _, short, _ = _enrol(browser, path, "kratka")
    assert short.status_code == 400 and "najmanje 12 znakova" in short.text
    _, common, _ = _enrol(browser, path, "password123456")
    assert common.status_code == 400 and "previše česta" in common.text
    _, differ, _ = _enrol(browser, path, "livanjsko polje u proljeće", again="nešto drugo sasvim")
    assert differ.status_code == 400 and "ne podudaraju" in differ.text
    _, wrong, _ = _enrol(browser, path, "livanjsko polje u proljeće", code="123456")
    assert wrong.status_code == 400 and "trenutni kod" in wrong.text


def test_a_reset_revokes_the_account_and_its_sessions(engine: Engine) -> None:
    person = signed_in(engine, WHO)
    admin = signed_in(engine, "k10-admin")
    assert admin.post(f"/admin/{WHO}/reset").status_code == 303
    assert person.get("/queue").status_code == 303
    assert "nema računa" in admin.get("/admin").text or "no account" in admin.get("/admin").text
