"""The queue page and the rows it polls for (new and escalated cases appear within 15
seconds; the page title carries a banner while a critical case waits)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.cases.vocabulary import CASE_STATUSES, INCIDENT_TYPES, SEVERITIES
from bot.console.directory_names import Person, Place, directory_names
from bot.console.queue import QueueFilters, QueueRow, queue, waiting_critical
from bot.console.texts import ConsoleTexts
from bot.console.web import Staff, duration, refused, render, staff_page, templates

POLL_SECONDS = 10


@dataclass(frozen=True)
class QueueLine:
    """A row as the queue shows it, its words in the reader's language. Worked out here
    rather than in the template: a page has a hundred rows, and a template call costs more."""

    code: str
    severity: str
    severity_name: str
    what: str
    where: str
    status: str
    owner: str
    deadline: str
    overdue: bool


def _deadline(t: ConsoleTexts, left: int | None) -> str:
    if left is None:
        return t("no_deadline")
    return t("time_over", time=duration(left)) if left < 0 else t("time_left", time=duration(left))


def _line(t: ConsoleTexts, row: QueueRow, left: int | None) -> QueueLine:
    if row.incident_type:
        what = t.label("incident_type", row.incident_type)
    else:
        what = t.label("crisis_kind", row.crisis_kind) if row.crisis_kind else t("type_unknown")
    status = t.label("status", row.status)
    if row.escalation_step:
        status += " · " + t("escalation_step", step=row.escalation_step)
    return QueueLine(
        code=row.code,
        severity=row.severity,
        severity_name=t.label("severity", row.severity),
        what=what,
        where=row.school or row.municipality or t("place_unknown"),
        status=status,
        owner=row.owner or t("unassigned"),
        deadline=_deadline(t, left),
        overdue=left is not None and left < 0,
    )


@lru_cache(maxsize=8192)
def line_html(language: str, row: QueueRow, minutes_left: int | None) -> Markup:
    """A row's HTML. It depends on nothing but its arguments, and the same rows come back
    at every poll: rendered (and escaped) once per language, case state and minute rather
    than a hundred times a page."""
    line = _line(ConsoleTexts(language), row, minutes_left)
    return Markup(templates.get_template("_queue_line.html").render(line=line))


def _rows_context(request: Request, staff: Staff) -> dict[str, Any]:
    filters = QueueFilters.from_query(request.query_params)
    rows, total = queue(staff.db, staff.responder, filters, staff.now)
    language = staff.t.language
    # The parts are Markup already (escaped when rendered): joined as plain text, not again.
    rows_html = Markup("".join(line_html(language, row, row.minutes_left(staff.now)) for row in rows))
    return {
        "filters": filters,
        "rows": rows,
        "rows_html": rows_html,
        "total": total,
        "critical_waiting": waiting_critical(staff.db, staff.responder),
        "now": staff.now,
        "query": urlencode({k: v for k, v in request.query_params.items()}),
        "poll_seconds": POLL_SECONDS,
    }


@dataclass(frozen=True)
class FilterChoices:
    """The directory's names the filters offer: (code, name) pairs, by name."""

    schools: list[tuple[str, str]]
    municipalities: list[tuple[str, str]]
    owners: list[tuple[str, str]]


def _by_name(entries: Iterable[Place | Person]) -> list[tuple[str, str]]:
    return sorted(((e.code, e.name) for e in entries), key=lambda pair: pair[1])


def filter_choices(db: Session) -> FilterChoices:
    names = directory_names(db)
    return FilterChoices(
        schools=_by_name(names.schools.values()),
        municipalities=_by_name(names.municipalities.values()),
        owners=_by_name(p for p in names.people.values() if p.may_own),
    )


@staff_page
def queue_page(request: Request, staff: Staff, form: FormData | None) -> Response:
    if staff.role == "administrator":
        return refused(staff.t, request)
    choices = filter_choices(staff.db)
    return render(
        request,
        "queue.html",
        staff,
        statuses=CASE_STATUSES,
        severities=SEVERITIES,
        incident_types=INCIDENT_TYPES,
        schools=choices.schools,
        municipalities=choices.municipalities,
        owners=choices.owners,
        **_rows_context(request, staff),
    )


@staff_page
def queue_rows(request: Request, staff: Staff, form: FormData | None) -> Response:
    if staff.role == "administrator":
        return refused(staff.t, request)
    return render(request, "_queue_rows.html", staff, **_rows_context(request, staff))
