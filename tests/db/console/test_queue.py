"""The queue: only the cases the reader may see, open ones by deadline, each filter, the
search by code, and the count of critical cases nobody has acknowledged."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.alerts.acknowledgement import acknowledge
from bot.console.queue import QueueFilters, queue, waiting_critical
from bot.followup.thread import close_case
from tests.helpers.cases import BULLYING_REPORT, T0, responder, routed

NOW = T0 + timedelta(hours=1)


def _codes(session: Session, reader: str, now: datetime = NOW, **filters: str) -> list[str]:
    rows, total = queue(session, responder(session, reader), QueueFilters.from_query(filters), now)
    assert total == len(rows)
    return [row.code for row in rows]


def test_open_cases_by_deadline_and_only_those_the_reader_may_see(session: Session) -> None:
    low = routed(session, **{**BULLYING_REPORT, "incident_type": "other", "description": "x"})
    urgent = routed(session, incident_type="threats", affected="me", danger_now="yes", description="nož")
    elsewhere = routed(session, school="tomislavgrad-os-1", **BULLYING_REPORT)
    closed = routed(session, **BULLYING_REPORT)
    close_case(session, closed, "no_action", actor="test", now=T0)
    assert urgent.ack_deadline_at < low.ack_deadline_at
    assert _codes(session, "livno-os-1-pedagogue") == [urgent.code, low.code]
    assert set(_codes(session, "k10-coordinator")) == {urgent.code, low.code, elsewhere.code}
    assert _codes(session, "tomislavgrad-os-1-pedagogue") == [elsewhere.code]
    assert _codes(session, "k10-admin") == []
    assert _codes(session, "livno-os-1-pedagogue", status="closed") == [closed.code]


def test_each_filter_and_the_search_by_code(session: Session) -> None:
    bullying = routed(session, **BULLYING_REPORT)
    threats = routed(session, incident_type="threats", affected="me", description="prijeti")
    kupres = routed(session, school="kupres-os-1", **BULLYING_REPORT)
    me = responder(session, "k10-coordinator")
    acknowledge(session, threats.code, me, via="test", now=T0)
    coordinator = "k10-coordinator"
    assert _codes(session, coordinator, incident_type="threats") == [threats.code]
    assert _codes(session, coordinator, severity=threats.severity) == [threats.code]
    assert set(_codes(session, coordinator, school="livno-os-1")) == {bullying.code, threats.code}
    assert _codes(session, coordinator, municipality="kupres") == [kupres.code]
    assert _codes(session, coordinator, mine="1") == [threats.code]
    assert _codes(session, coordinator, owner=coordinator) == [threats.code]
    assert set(_codes(session, coordinator, unassigned="1")) == {bullying.code, kupres.code}
    assert _codes(session, coordinator, overdue="1") == []
    week_on = T0 + timedelta(days=7)  # the acknowledged case has no deadline any more
    assert set(_codes(session, coordinator, week_on, overdue="1")) == {bullying.code, kupres.code}
    assert _codes(session, coordinator, status="acknowledged") == [threats.code]
    assert _codes(session, coordinator, code=kupres.code.lower().replace("-", " ")) == [kupres.code]


def test_critical_cases_nobody_acknowledged_count_for_the_banner(session: Session) -> None:
    crisis = routed(session, incident_type="threats", affected="me", danger_now="yes", crisis_kind="danger")
    assert crisis.severity == "critical"
    counsellor = responder(session, "livno-os-1-pedagogue")
    assert waiting_critical(session, counsellor) == 1
    assert waiting_critical(session, responder(session, "drvar-os-1-pedagogue")) == 0
    acknowledge(session, crisis.code, counsellor, via="test", now=T0)
    assert waiting_critical(session, counsellor) == 0


def test_the_count_covers_every_match_beyond_the_page(session: Session) -> None:
    first = routed(session, incident_type="threats", affected="me", danger_now="yes", description="nož")
    routed(session, **BULLYING_REPORT)
    routed(session, **BULLYING_REPORT)
    rows, total = queue(session, responder(session, "livno-os-1-pedagogue"), QueueFilters(), NOW, limit=1)
    assert [row.code for row in rows] == [first.code]
    assert total == 3
    rows, total = queue(session, responder(session, "livno-os-1-pedagogue"), QueueFilters(code="NO-SUCH"), NOW)
    assert (rows, total) == ([], 0)


def test_a_search_is_text_not_a_pattern(session: Session) -> None:
    routed(session, **BULLYING_REPORT)
    assert _codes(session, "k10-coordinator", code="%") == []
    assert _codes(session, "k10-coordinator", code="_") == []
