"""A queue row's HTML: worded in the reader's language, escaped, and rendered again when
the minute or the case's state changes (the rendered rows are kept)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.console.pages.queue import line_html
from bot.console.queue import QueueRow

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def _row(**changes: object) -> QueueRow:
    row = QueueRow(
        code="K7-ABCD-1234",
        severity="critical",
        status="new",
        school='OŠ "Ivan Goran Kovačić" <Livno>',
        municipality="Livno",
        incident_type="threats",
        crisis_kind=None,
        owner=None,
        deadline=NOW + timedelta(minutes=20),
        reported_at=NOW - timedelta(minutes=5),
        escalation_step=0,
    )
    return row._replace(**changes)


def test_a_row_is_escaped_and_in_the_readers_language() -> None:
    row = _row()
    bcs, en = str(line_html("bcs", row, row.minutes_left(NOW))), str(line_html("en", row, row.minutes_left(NOW)))
    assert "&lt;Livno&gt;" in en and "<Livno>" not in en
    assert "K7-ABCD-1234" in bcs and "sev-critical" in bcs
    assert bcs != en


def test_a_kept_row_changes_with_the_minute_and_the_state() -> None:
    row = _row()
    before = str(line_html("en", row, 20))
    assert str(line_html("en", row, 20)) == before
    assert str(line_html("en", row, -3)) != before  # overdue now
    assert "overdue" in str(line_html("en", row, -3)) and "overdue" not in before
    escalated = row._replace(escalation_step=1, owner="Amra Hadžić")
    assert "Amra" in str(line_html("en", escalated, 20))
