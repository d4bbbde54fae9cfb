"""Sign-in (code, password and TOTP code together), sign-out everywhere, invitations, and
the language switch."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.cases import access
from bot.console import accounts, sessions, two_factor
from bot.console.security import AttemptLimit
from bot.console.texts import LANGUAGES, ConsoleTexts
from bot.console.web import (
    FORM_COOKIE,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    Staff,
    field,
    local_path,
    public_page,
    render,
    set_cookie,
    staff_page,
)
from bot.storage.models import utcnow

_BASE32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _form_token(request: Request) -> str:
    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)


def _public(request: Request, name: str, t: ConsoleTexts, status: int = 200, **context: object) -> Response:
    token = _form_token(request)
    response = render(request, name, None, status=status, t=t, csrf=token, **context)
    set_cookie(response, FORM_COOKIE, token)
    return response


def _limit(request: Request) -> AttemptLimit:
    return request.app.state.sign_in_limit


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def home_of(role: access.ConsoleRole) -> str:
    return "/admin" if role == "administrator" else "/queue"


@public_page
def sign_in(request: Request, db: Session, t: ConsoleTexts, form: FormData | None) -> Response:
    if form is None:
        return _public(request, "sign_in.html", t, activated=request.query_params.get("activated") == "1")
    if not _limit(request).allow(_client(request)):
        return _public(request, "sign_in.html", t, status=429, error=t("too_many_attempts"))
    now = utcnow()
    result, account = accounts.sign_in(db, field(form, "code"), field(form, "password"), field(form, "otp"), now)
    if result != "ok" or account is None:
        db.commit()  # the failure counts, whatever the answer
        error = t("sign_in_locked") if result == "locked" else t("sign_in_refused")
        return _public(request, "sign_in.html", t, status=401 if result == "refused" else 423, error=error)
    responder = account.responder
    token = sessions.start(db, account, responder.language or "bcs", now)
    response = RedirectResponse(home_of(access.role_of(responder)), status_code=303)
    set_cookie(response, SESSION_COOKIE, token)
    return response


@staff_page
def sign_out(request: Request, staff: Staff, form: FormData | None) -> Response:
    sessions.end_everywhere(staff.db, staff.console_session.account_id)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@public_page
def invitation(request: Request, db: Session, t: ConsoleTexts, form: FormData | None) -> Response:
    now = utcnow()
    account = accounts.invited_account(db, request.path_params["token"], now)
    if account is None:
        return _public(request, "invite.html", t, status=404, expired=True)
    if form is not None and not _limit(request).allow(_client(request)):
        return _public(request, "invite.html", t, status=429, expired=True, error=t("too_many_attempts"))
    secret = field(form, "secret")
    if form is None or len(secret) != 32 or not set(secret) <= _BASE32:
        secret = two_factor.new_secret()
    problems: list[str] = []
    if form is not None:
        if field(form, "password") != field(form, "password_again"):
            problems = [t("passwords_differ")]
        else:
            problems = accounts.accept_invitation(db, account, field(form, "password"), secret, field(form, "otp"), now)
        if not problems:
            return RedirectResponse("/sign-in?activated=1", status_code=303)
    responder = account.responder
    uri = two_factor.enrolment_uri(secret, responder.code)
    return _public(
        request,
        "invite.html",
        t,
        status=400 if problems else 200,
        responder=responder,
        secret=secret,
        qr=two_factor.qr_svg(uri),
        problems=problems,
        expired=False,
    )


def _switch(request: Request, language: str) -> Response:
    response = RedirectResponse(local_path(request.query_params.get("next", "/")), status_code=303)
    set_cookie(response, LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600)
    return response


@public_page
def public_language(request: Request, db: Session, t: ConsoleTexts, form: FormData | None) -> Response:
    language = field(form, "language")
    return _switch(request, language if language in LANGUAGES else t.language)


@staff_page
def staff_language(request: Request, staff: Staff, form: FormData | None) -> Response:
    language = field(form, "language")
    if language in LANGUAGES:
        staff.console_session.language = language
    return _switch(request, staff.console_session.language)
