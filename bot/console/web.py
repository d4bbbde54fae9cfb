"""Request plumbing shared by the console's pages: a database transaction per request, the
signed-in member of staff from the server-side session, the CSRF check on every request
that changes something, and rendering with the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bot.cases import access
from bot.console import sessions
from bot.console.security import same_token, secure_cookies
from bot.console.texts import LANGUAGES, ConsoleTexts, language_of
from bot.directory.duty_hours import LOCAL_ZONE
from bot.paths import PROJECT_DIR
from bot.storage.db import session_scope
from bot.storage.models import ConsoleSession, Responder, utcnow

SESSION_COOKIE = "javise_session"
# Before sign-in there is no session: forms carry a token that must match this cookie.
FORM_COOKIE = "javise_form"
LANGUAGE_COOKIE = "javise_language"
CSRF_HEADER = "x-csrftoken"
CSRF_FIELD = "csrf_token"
CHANGES_STATE = ("POST", "PUT", "PATCH", "DELETE")

templates = Jinja2Templates(directory=str(PROJECT_DIR / "bot" / "console" / "templates"))
# Templates change with a release, not while the console runs: no file check per render.
templates.env.auto_reload = False


def local_time(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%d.%m.%Y %H:%M") if moment else "–"


def duration(minutes: int) -> str:
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


templates.env.filters["local"] = local_time
templates.env.filters["duration"] = duration


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


@dataclass
class Staff:
    """The signed-in member of staff, for one request."""

    db: Session
    responder: Responder
    console_session: ConsoleSession
    now: datetime

    @property
    def role(self) -> access.ConsoleRole:
        return access.role_of(self.responder)

    @property
    def t(self) -> ConsoleTexts:
        return ConsoleTexts(language_of(self.console_session.language))

    @property
    def csrf(self) -> str:
        return self.console_session.csrf_token


StaffHandler = Callable[[Request, Staff, FormData | None], Response]
PublicHandler = Callable[[Request, Session, ConsoleTexts, FormData | None], Response]


def _form_token(request: Request, form: FormData | None) -> str | None:
    given = request.headers.get(CSRF_HEADER)
    if given is None and form is not None:
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given


def refused(t: ConsoleTexts, request: Request, status: int = 403) -> Response:
    return templates.TemplateResponse(
        request, "refused.html", {"t": t, "status": status, "staff": None, "csrf": None}, status_code=status
    )


def to_sign_in(request: Request) -> Response:
    if request.headers.get("hx-request"):  # htmx follows this header with a full page load
        return Response(status_code=401, headers={"HX-Redirect": "/sign-in"})
    return RedirectResponse("/sign-in", status_code=303)


def staff_page(handler: StaffHandler) -> Callable[[Request], Any]:
    """An endpoint for signed-in staff. Without a live session: to the sign-in page. A
    request that changes state without the session's CSRF token: 403."""

    def run(request: Request, form: FormData | None) -> Response:
        with session_scope(engine_of(request)) as db:
            now = utcnow()
            row = sessions.current(db, request.cookies.get(SESSION_COOKIE), now)
            if row is None:
                return to_sign_in(request)
            staff = Staff(db, row.account.responder, row, now)
            if request.method in CHANGES_STATE and not same_token(row.csrf_token, _form_token(request, form)):
                return refused(staff.t, request)
            return handler(request, staff, form)

    async def endpoint(request: Request) -> Response:
        form = await request.form() if request.method in CHANGES_STATE else None
        return await run_in_threadpool(run, request, form)

    return endpoint


def public_page(handler: PublicHandler) -> Callable[[Request], Any]:
    """An endpoint before sign-in (sign-in, invitation, language). Its forms carry a token
    that must match the form cookie (a double-submit CSRF check)."""

    def run(request: Request, form: FormData | None) -> Response:
        t = ConsoleTexts(language_of(request.cookies.get(LANGUAGE_COOKIE)))
        if request.method in CHANGES_STATE and not same_token(
            request.cookies.get(FORM_COOKIE), _form_token(request, form)
        ):
            return refused(t, request)
        with session_scope(engine_of(request)) as db:
            return handler(request, db, t, form)

    async def endpoint(request: Request) -> Response:
        form = await request.form() if request.method in CHANGES_STATE else None
        return await run_in_threadpool(run, request, form)

    return endpoint


def render(request: Request, name: str, staff: Staff | None, status: int = 200, **context: Any) -> Response:
    base = {"staff": staff, "t": staff.t if staff else context.pop("t"), "languages": LANGUAGES}
    base["csrf"] = staff.csrf if staff else context.pop("csrf", None)
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure_cookies(), path="/"
    )


def field(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value.strip() if isinstance(value, str) else ""


def local_path(target: str) -> str:
    """Where to go back to after a form: a path on this server, never another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
