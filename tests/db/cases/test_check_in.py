"""Cases on both databases: submission, crisis records, check-in and lock-out."""

from datetime import timedelta

from sqlalchemy import select

from bot.cases.check_in import MAX_FAILURES, check_case
from bot.cases.report import Report
from bot.cases.submission import submit_report
from bot.storage.models import Case, CaseEvent, CheckLock, utcnow
from tests.helpers.cases import BULLYING_REPORT

REPORT = {
    **BULLYING_REPORT,
    "script": "cyrillic",
    "channel": "rest",
    "contact_ok": True,
    "ignored_field": "never stored",
}


def test_right_code_and_pin_show_the_case(session) -> None:
    issued = submit_report(session, Report.from_fields(REPORT))
    result = check_case(session, "conversation-1", issued.code.lower(), issued.pin)
    assert result.outcome == "ok" and result.case.code == issued.code
    assert result.latest_update is None


def test_the_latest_visible_update_is_shown(session) -> None:
    issued = submit_report(session, Report.from_fields(REPORT))
    case = session.get(Case, issued.case_id)
    session.add(CaseEvent(case=case, kind="note", body="internal", visible_to_reporter=False))
    session.add(CaseEvent(case=case, kind="message", body="We spoke to the class.", visible_to_reporter=True))
    session.flush()
    result = check_case(session, "conversation-1", issued.code, issued.pin)
    assert result.latest_update == "We spoke to the class."


def test_wrong_code_and_wrong_pin_look_the_same(session) -> None:
    issued = submit_report(session, Report.from_fields(REPORT))
    wrong_pin = "000000" if issued.pin != "000000" else "111111"
    assert check_case(session, "a", issued.code, wrong_pin).outcome == "invalid"
    assert check_case(session, "b", "JS-2222-2222", issued.pin).outcome == "invalid"
    assert check_case(session, "c", "nonsense", "x").outcome == "invalid"


def test_five_failures_lock_the_case_for_fifteen_minutes(session) -> None:
    issued = submit_report(session, Report.from_fields(REPORT))
    wrong_pin = "000000" if issued.pin != "000000" else "111111"
    now = utcnow()
    outcomes = [check_case(session, f"conv-{i}", issued.code, wrong_pin, now=now).outcome for i in range(MAX_FAILURES)]
    assert outcomes == ["invalid"] * (MAX_FAILURES - 1) + ["locked"]
    # Even the right PIN, from a new conversation, is refused while the lock lasts.
    assert check_case(session, "fresh", issued.code, issued.pin, now=now).outcome == "locked"
    later = now + timedelta(minutes=15, seconds=1)
    assert check_case(session, "fresh", issued.code, issued.pin, now=later).outcome == "ok"
    assert "locked" in [e.kind for e in session.get(Case, issued.case_id).events]


def test_five_failures_lock_the_conversation_for_any_case(session) -> None:
    issued = submit_report(session, Report.from_fields(REPORT))
    now = utcnow()
    for i in range(MAX_FAILURES):
        check_case(session, "guesser", f"JS-2222-222{i + 2}", "123456", now=now)
    assert check_case(session, "guesser", issued.code, issued.pin, now=now).outcome == "locked"
    assert check_case(session, "someone-else", issued.code, issued.pin, now=now).outcome == "ok"
    keys = session.scalars(select(CheckLock.conversation_key)).all()
    assert "guesser" not in keys and all(len(k) == 64 for k in keys)
