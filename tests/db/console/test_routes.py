"""Every console route for every kind of reader, as one table: who gets the page (200),
who is sent on after an action (303), who is sent to sign in (anonymous: 303 to /sign-in)
and who is refused (403, also for a case of another school: never a 404 that would tell a
code exists). On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.routing.referrals import refer
from bot.storage.db import session_scope
from bot.storage.models import Attachment
from tests.helpers.cases import BULLYING_REPORT, responder, routed
from tests.helpers.console import client, signed_in

# Readers: None is anonymous. The case is at livno-os-1, referred to the Red Cross in Livno,
# and waiting for the reporter's consent for legal aid.
READERS = {
    "anonymous": None,
    "counsellor": "livno-os-1-pedagogue",
    "school_psychologist": "livno-os-1-psychologist",
    "other_school_counsellor": "livno-os-2-pedagogue",
    "principal": "livno-os-1-principal",
    "other_school_principal": "tomislavgrad-os-1-principal",
    "coordinator": "k10-coordinator",
    "referred_service": "red-cross-duty-livno",
    "service_not_referred": "social-welfare-k10",
    "legal_aid_without_consent": "legal-aid-mobile",
    "administrator": "k10-admin",
}
ON_THE_CASE = {"counsellor", "school_psychologist", "principal", "coordinator", "referred_service"}
CASE_STAFF = ON_THE_CASE - {"referred_service"}
STAFF = set(READERS) - {"anonymous"}
EVERYONE_BUT_ADMIN = STAFF - {"administrator"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]
    status: int = 200  # for those allowed
    form: tuple[tuple[str, str], ...] = ()


def route(method: str, path: str, allowed: set[str], answer: int = 200, **form: str) -> Route:
    return Route(method, path, frozenset(allowed), answer, tuple(form.items()))


ROUTES = [
    route("GET", "/queue", EVERYONE_BUT_ADMIN),
    route("GET", "/queue/rows", EVERYONE_BUT_ADMIN),
    route("GET", "/cases/{code}", ON_THE_CASE),
    route("GET", "/cases/{code}/export", ON_THE_CASE),
    route("POST", "/cases/{code}/attachments/{attachment}", ON_THE_CASE),
    route("POST", "/cases/{code}/acknowledge", ON_THE_CASE, 303),
    route("POST", "/cases/{code}/assign", ON_THE_CASE, 303),
    # To someone else is the coordinator's; the psychologist named takes it themselves.
    route(
        "POST", "/cases/{code}/assign", {"coordinator", "school_psychologist"}, 303, responder="livno-os-1-psychologist"
    ),
    route("POST", "/cases/{code}/status", ON_THE_CASE, 303, status="in_progress"),
    route("POST", "/cases/{code}/refer", CASE_STAFF, 303, service="social-welfare-k10"),
    route("POST", "/cases/{code}/note", ON_THE_CASE, 303, body="Razgovarala s razrednicom."),
    route("POST", "/cases/{code}/reply", ON_THE_CASE, 200, body="Hvala ti što si nam pisao/la."),
    route("POST", "/cases/{code}/close", ON_THE_CASE, 303, outcome="acted_on"),
    route("GET", "/audit", {"coordinator"}),
    route("GET", "/admin", {"administrator"}),
    route("POST", "/admin/livno-os-2-principal/invite", {"administrator"}),
    route("POST", "/admin/livno-os-2-principal/reset", {"administrator"}, 303),
    route("POST", "/language/staff", STAFF, 303, language="bcs"),
    route("POST", "/sign-out", STAFF, 303),
]


def _case(engine: Engine) -> tuple[str, int]:
    """A fresh case for one row of the table (actions change it), and its attachment."""
    with session_scope(engine) as session:
        case = routed(session, **BULLYING_REPORT)
        refer(session, case, responder(session, "red-cross-duty-livno"), "test", in_chain=False)
        refer(session, case, responder(session, "legal-aid-mobile"), "test", in_chain=False, needs_consent=True)
        attachment = Attachment(case_id=case.id, conversation_id="x", channel="telegram", kind="photo", file_ref="f")
        session.add(attachment)
        session.flush()
        return case.code, attachment.id


def _expected(row: Route, reader: str) -> int:
    if reader == "anonymous":
        return 303  # to the sign-in page
    if reader == "administrator" and row.path.startswith("/cases/"):
        return 403
    if row.path.startswith("/cases/") and reader in READERS and reader not in ON_THE_CASE:
        return 403
    return row.status if reader in row.allowed else 403


def test_every_route_for_every_reader(engine: Engine) -> None:
    browsers = {name: (client(engine) if code is None else signed_in(engine, code)) for name, code in READERS.items()}
    wrong = []
    for row in ROUTES:
        for reader, browser in browsers.items():
            if row.path == "/sign-out" and reader != "anonymous":
                continue  # below: it would end the session the other rows use
            code, attachment = _case(engine)
            path = row.path.format(code=code, attachment=attachment)
            response = browser.request(row.method, path, data=dict(row.form) or None)
            expected = _expected(row, reader)
            if response.status_code != expected:
                wrong.append(f"{row.method} {row.path} as {reader}: {response.status_code}, expected {expected}")
            elif reader == "anonymous":
                assert response.headers["location"] == "/sign-in"
    assert wrong == []
    for reader in STAFF:
        assert browsers[reader].post("/sign-out").status_code == 303
        assert browsers[reader].get("/queue").status_code == 303, reader  # signed out
