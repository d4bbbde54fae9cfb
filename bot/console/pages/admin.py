"""Administration: the directory's people and their console accounts (invite, reset), for
the administrator, who never sees a case; and the audit log, for the coordinator."""

from __future__ import annotations

from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.cases import access
from bot.cases.view import EventLine, event_body
from bot.console import accounts
from bot.console.web import Staff, refused, render, staff_page
from bot.storage.models import Case, CaseEvent, Responder, StaffAccount

AUDIT_PAGE = 300


def account_state(account: StaffAccount | None) -> str:
    if account is None:
        return "none"
    if account.activated_at is not None:
        return "active"
    return "invited" if account.invite_token_hash else "none"


@staff_page
def directory(request: Request, staff: Staff, form: FormData | None) -> Response:
    if not access.may_manage_accounts(staff.responder):
        return refused(staff.t, request)
    rows = staff.db.execute(
        select(Responder, StaffAccount)
        .outerjoin(StaffAccount, StaffAccount.responder_id == Responder.id)
        .order_by(Responder.kind, Responder.code)
    ).all()
    people = [(responder, account_state(account)) for responder, account in rows]
    return render(request, "admin.html", staff, people=people, invitation=None)


def _responder(staff: Staff, code: str) -> Responder | None:
    return staff.db.scalars(select(Responder).where(Responder.code == code)).one_or_none()


@staff_page
def invite(request: Request, staff: Staff, form: FormData | None) -> Response:
    if not access.may_manage_accounts(staff.responder):
        return refused(staff.t, request)
    try:
        invitation = accounts.invite(staff.db, request.path_params["code"], staff.now)
    except accounts.AccountError:
        return refused(staff.t, request, status=400)
    return render(request, "invitation.html", staff, invitation=invitation)


@staff_page
def reset(request: Request, staff: Staff, form: FormData | None) -> Response:
    if not access.may_manage_accounts(staff.responder):
        return refused(staff.t, request)
    try:
        accounts.reset(staff.db, request.path_params["code"])
    except accounts.AccountError:
        return refused(staff.t, request, status=400)
    return RedirectResponse("/admin", status_code=303)


@staff_page
def audit_log(request: Request, staff: Staff, form: FormData | None) -> Response:
    """Every case's trail, newest first; by actor or by case code."""
    if not access.may_read_audit_log(staff.responder):
        return refused(staff.t, request)
    actor, code = request.query_params.get("actor", "").strip(), request.query_params.get("case", "").strip().upper()
    query = select(CaseEvent, Case.code).join(Case, CaseEvent.case_id == Case.id)
    if actor:
        query = query.where(CaseEvent.actor == actor)
    if code:
        query = query.where(Case.code == code)
    rows = staff.db.execute(query.order_by(CaseEvent.id.desc()).limit(AUDIT_PAGE)).all()
    events = [
        (case_code, EventLine(e.created_at, e.kind, e.actor or "system", event_body(e.kind, e.body)))
        for e, case_code in rows
    ]
    return render(request, "audit.html", staff, events=events, actor=actor, code=code)
