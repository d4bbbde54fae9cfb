"""The case page and its actions. Each action is the function the staff bot, the SMS
commands and the CLI use (acknowledge, reply, status, close, refer); this module only
checks the form and says what happened. Opening the page, revealing an attachment and
exporting are recorded on the case's trail."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.alerts.acknowledgement import acknowledge
from bot.cases import access
from bot.cases.assignment import assign
from bot.cases.notes import add_note
from bot.cases.vocabulary import OUTCOMES
from bot.console import attachment_files
from bot.console.case_page import attachment_of, case_page, record_view, visible_case
from bot.console.texts import canned_replies
from bot.console.web import Staff, field, refused, render, staff_page
from bot.followup.thread import close_case, set_in_progress, staff_reply
from bot.routing.referrals import refer
from bot.storage.models import Case, Responder

MAX_MESSAGE = 1500
CaseAction = Callable[[Request, Staff, FormData | None, Case], Response]


def _done(case: Case, what: str) -> Response:
    return RedirectResponse(f"/cases/{case.code}?done={what}", status_code=303)


def case_route(action: CaseAction) -> Callable[[Request], Any]:
    """A page or action on one case: 403 unless this member of staff may see it (also when
    no case has the code, so that codes cannot be probed)."""

    def handler(request: Request, staff: Staff, form: FormData | None) -> Response:
        case = visible_case(staff.db, request.path_params["code"], staff.responder)
        if case is None:
            return refused(staff.t, request)
        return action(request, staff, form, case)

    handler.__name__ = action.__name__
    return staff_page(handler)


def _page(request: Request, staff: Staff, case: Case, status: int = 200, **extra: object) -> Response:
    page = case_page(staff.db, case, staff.responder)
    return render(
        request,
        "case.html",
        staff,
        status=status,
        page=page,
        case=page.view,
        now=staff.now,
        outcomes=OUTCOMES,
        replies=canned_replies(staff.t.language),
        may_reassign=access.may_reassign(staff.responder),
        done=request.query_params.get("done", ""),
        **extra,
    )


@case_route
def show(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    page = _page(request, staff, case)
    # Recorded last, in the same transaction: on SQLite the write lock is then held only
    # until the commit, not while the page is built.
    record_view(staff.db, case, staff.responder, "viewed", "case page")
    return page


@case_route
def acknowledge_case(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    result = acknowledge(staff.db, case.code, staff.responder, via="console", now=staff.now)
    return _done(case, "acknowledged" if result.outcome == "acknowledged" else "already")


@case_route
def assign_case(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    target = field(form, "responder") or staff.responder.code
    to = staff.db.scalars(select(Responder).where(Responder.code == target, Responder.active.is_(True))).one_or_none()
    if to is None:
        return refused(staff.t, request, status=400)
    outcome = assign(staff.db, case, to, staff.responder, via="console", now=staff.now)
    return refused(staff.t, request) if outcome == "not_allowed" else _done(case, outcome)


@case_route
def change_status(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    if field(form, "status") != "in_progress" or case.closed_at is not None:
        return refused(staff.t, request, status=400)
    if case.acknowledged_at is None:
        return _done(case, "acknowledge_first")
    set_in_progress(staff.db, case, actor=staff.responder.code)
    return _done(case, "in_progress")


@case_route
def refer_case(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    if staff.role == "service" or case.closed_at is not None:
        return refused(staff.t, request)
    service = staff.db.scalars(
        select(Responder).where(
            Responder.code == field(form, "service"), Responder.kind == "service", Responder.active.is_(True)
        )
    ).one_or_none()
    if service is None:
        return refused(staff.t, request, status=400)
    referral = refer(
        staff.db,
        case,
        service,
        f"console: {staff.responder.code}",
        in_chain=False,
        needs_consent=service.role == "legal_aid",
        actor=staff.responder.code,
    )
    if referral is None:
        return _done(case, "already_referred")
    return _done(case, "awaiting_consent" if referral.status in access.WITHOUT_ACCESS else "referred")


@case_route
def close(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    outcome = field(form, "outcome")
    if outcome not in OUTCOMES or case.closed_at is not None:
        return refused(staff.t, request, status=400)
    close_case(staff.db, case, outcome, actor=staff.responder.code, now=staff.now)
    return _done(case, "closed")


@case_route
def note(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    written = add_note(staff.db, case, staff.responder, field(form, "body"))
    return _done(case, "noted" if written else "empty")


@case_route
def reply(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    """Writing to the reporter takes two steps: the text is shown back with who will see it
    and how it travels, and only a second, confirming submit sends it."""
    text = field(form, "body")[:MAX_MESSAGE]
    if not text:
        return _done(case, "empty")
    if field(form, "confirmed") != "yes":
        return render(request, "confirm_reply.html", staff, case=case, text=text, contact=bool(case.contact_ok))
    outcome, _ = staff_reply(staff.db, case.code, staff.responder, text)
    return _done(case, "sent" if outcome == "sent" else "waiting")


@case_route
def reveal_attachment(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    attachment = attachment_of(staff.db, case, int(request.path_params["attachment_id"]))
    if attachment is None:
        return refused(staff.t, request, status=404)
    record_view(staff.db, case, staff.responder, "attachment_viewed", f"attachment {attachment.id}")
    return render(request, "_attachment.html", staff, case=case, attachment=attachment)


@case_route
def attachment_file(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    """The file itself, fetched from its channel. Images are shown; anything else is a
    download. Sandboxed: a file can never run as a page of the console."""
    attachment = attachment_of(staff.db, case, int(request.path_params["attachment_id"]))
    if attachment is None:
        return refused(staff.t, request, status=404)
    record_view(staff.db, case, staff.responder, "attachment_viewed", f"attachment {attachment.id}: file")
    staff.db.commit()  # the view is on the record even if the channel fails
    try:
        fetched = attachment_files.fetch(attachment)
    except attachment_files.FetchError:
        return refused(staff.t, request, status=502)
    disposition = "inline" if fetched.shown_inline else f'attachment; filename="attachment-{attachment.id}"'
    return Response(
        fetched.content,
        media_type=fetched.content_type if fetched.shown_inline else "application/octet-stream",
        headers={"content-disposition": disposition, "content-security-policy": "sandbox; default-src 'none'"},
    )


@case_route
def export(request: Request, staff: Staff, form: FormData | None, case: Case) -> Response:
    """The case as JSON, as the page shows it to this reader (their notes only, for a
    service). Recorded like a view."""
    page = case_page(staff.db, case, staff.responder)
    record_view(staff.db, case, staff.responder, "exported", "json")
    body = {
        "case": dataclasses.asdict(page.view),
        "notes": [{"at": n.at, "by": n.author_code, "body": n.body} for n in page.notes],
    }
    return JSONResponse(
        json.loads(json.dumps(body, default=str)),
        headers={"content-disposition": f'attachment; filename="{case.code}.json"'},
    )
