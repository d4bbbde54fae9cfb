"""Cases on both databases: submission, crisis records, check-in and lock-out."""

from bot.cases.check_in import check_case
from bot.cases.report import Report
from bot.cases.submission import record_crisis, submit_report
from bot.storage.models import Case
from tests.helpers.cases import BULLYING_REPORT

REPORT = {
    **BULLYING_REPORT,
    "script": "cyrillic",
    "channel": "rest",
    "contact_ok": True,
    "ignored_field": "never stored",
}


def test_a_report_is_stored_with_a_code_and_a_hashed_pin(session) -> None:
    issued = submit_report(session, Report.from_fields(REPORT))
    case = session.get(Case, issued.case_id)
    assert case.code == issued.code and case.description == REPORT["description"]
    assert case.severity == "medium" and case.status == "new" and case.script == "cyrillic"
    assert issued.pin not in case.pin_hash
    kinds = [e.kind for e in case.events]
    assert kinds[:2] == ["reported", "triaged"] and "referred" in kinds
    assert case.severity_reason and case.ack_deadline_at is not None


def test_danger_now_makes_a_report_critical(session) -> None:
    issued = submit_report(session, Report.from_fields({**REPORT, "danger_now": "yes"}))
    assert session.get(Case, issued.case_id).severity == "critical"


def test_a_report_after_a_crisis_completes_the_crisis_case(session) -> None:
    case_id = record_crisis(session, "self_harm", Report.from_fields({"language": "en"}), "I want to die")
    issued = submit_report(session, Report.from_fields(REPORT), crisis_case_id=case_id)
    assert issued.case_id == case_id
    case = session.get(Case, case_id)
    assert case.severity == "critical" and case.crisis_kind == "self_harm"
    kinds = [e.kind for e in case.events]
    assert kinds[0] == "crisis_self_harm" and kinds.count("reported") == 1
    assert kinds.index("triaged") < kinds.index("reported")  # alerted at the crisis already
    assert case.events[0].body == "I want to die"
    assert check_case(session, "conv", issued.code, issued.pin).outcome == "ok"
