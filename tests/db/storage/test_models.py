import pytest

from bot.cases.report import Report
from bot.cases.submission import submit_report
from bot.storage.models import Case


def _first_event(session):  # type: ignore[no-untyped-def]
    issued = submit_report(session, Report.from_fields({"incident_type": "other", "description": "test"}))
    return session.get(Case, issued.case_id).events[0]


def test_case_events_cannot_be_changed(session) -> None:
    _first_event(session).body = "rewritten"
    with pytest.raises(ValueError, match="audit trail"):
        session.flush()
    session.rollback()


def test_case_events_cannot_be_deleted(session) -> None:
    session.delete(_first_event(session))
    with pytest.raises(ValueError, match="audit trail"):
        session.flush()
    session.rollback()


def test_moments_come_back_aware_and_in_utc(engine) -> None:
    from datetime import datetime, timedelta, timezone

    from bot.storage.db import session_scope

    sarajevo_evening = datetime(2026, 12, 3, 21, 30, tzinfo=timezone(timedelta(hours=1)))
    with session_scope(engine) as session:
        issued = submit_report(session, Report.from_fields({"incident_type": "other", "description": "test"}))
        session.get(Case, issued.case_id).acknowledged_at = sarajevo_evening
    with session_scope(engine) as session:
        stored = session.get(Case, issued.case_id).acknowledged_at
    assert stored == sarajevo_evening
    assert stored.utcoffset() == timedelta(0)


def test_a_naive_moment_is_refused(session) -> None:
    from datetime import datetime

    issued = submit_report(session, Report.from_fields({"incident_type": "other", "description": "test"}))
    session.get(Case, issued.case_id).acknowledged_at = datetime(2026, 12, 3, 20, 30)
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()
    session.rollback()
