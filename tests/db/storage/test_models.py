import pytest

from bot.cases.submission import submit_report
from bot.storage.models import Case


def _first_event(session):  # type: ignore[no-untyped-def]
    issued = submit_report(session, {"incident_type": "other", "description": "test"})
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
