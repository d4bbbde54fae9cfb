"""The queue page and the rows it polls for (new and escalated cases appear within 15
seconds; the page title carries a banner while a critical case waits)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.cases.vocabulary import CASE_STATUSES, INCIDENT_TYPES, SEVERITIES
from bot.console.queue import QueueFilters, queue, waiting_critical
from bot.console.web import Staff, refused, render, staff_page
from bot.storage.models import Municipality, Responder, School

POLL_SECONDS = 10


def _rows_context(request: Request, staff: Staff) -> dict[str, Any]:
    filters = QueueFilters.from_query(request.query_params)
    rows, total = queue(staff.db, staff.responder, filters, staff.now)
    return {
        "filters": filters,
        "rows": rows,
        "total": total,
        "critical_waiting": waiting_critical(staff.db, staff.responder),
        "now": staff.now,
        "query": urlencode({k: v for k, v in request.query_params.items()}),
        "poll_seconds": POLL_SECONDS,
    }


@staff_page
def queue_page(request: Request, staff: Staff, form: FormData | None) -> Response:
    if staff.role == "administrator":
        return refused(staff.t, request)
    db = staff.db
    return render(
        request,
        "queue.html",
        staff,
        statuses=CASE_STATUSES,
        severities=SEVERITIES,
        incident_types=INCIDENT_TYPES,
        schools=db.execute(select(School.code, School.name).order_by(School.name)).all(),
        municipalities=db.execute(select(Municipality.code, Municipality.name).order_by(Municipality.name)).all(),
        owners=db.execute(
            select(Responder.code, Responder.name)
            .where(Responder.active.is_(True), Responder.role != "administrator")
            .order_by(Responder.name)
        ).all(),
        **_rows_context(request, staff),
    )


@staff_page
def queue_rows(request: Request, staff: Staff, form: FormData | None) -> Response:
    if staff.role == "administrator":
        return refused(staff.t, request)
    return render(request, "_queue_rows.html", staff, **_rows_context(request, staff))
