"""Routing a case on both databases: who gets a referral, with which status and reason,
the alerts queued in the same transaction, the severity reason and the deadline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.cases.report import Report
from bot.cases.submission import record_crisis, submit_report
from bot.routing.referrals import route_case
from bot.storage.db import session_scope
from bot.storage.models import Case, CaseEvent, Municipality, OutboxMessage, Referral, Responder
from tests.helpers.cases import (
    T0,
    alerted,
    event_bodies,
    new_case,
    referrals,
    responder,
    routed,
    school_id,
)

DANGER = "The reporter said someone is in danger right now."


# --- who is referred ------------------------------------------------------------------------


def test_a_report_at_a_school_goes_to_its_counsellors_not_the_backup(session) -> None:
    case = routed(session, incident_type="bullying")
    refs = referrals(session, case)
    assert list(refs) == ["livno-os-1-pedagogue"]  # the psychologist is the school's backup
    pedagogue = refs["livno-os-1-pedagogue"]
    assert (pedagogue.status, pedagogue.reason, pedagogue.in_chain, pedagogue.step) == (
        "pending",
        "school_counsellors",
        True,
        0,
    )
    assert alerted(session, case) == ["livno-os-1-pedagogue"]
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).one()
    assert (row.channel, row.status, row.attempts, row.referral_id) == ("staff_telegram", "pending", 0, pedagogue.id)
    assert event_bodies(session, case, "referred") == ["livno-os-1-pedagogue (pedagogue): school_counsellors"]


def test_a_case_its_referrals_and_alerts_are_one_transaction(engine) -> None:
    with pytest.raises(RuntimeError, match="after routing"), session_scope(engine) as session:
        case = routed(session, incident_type="physical")
        assert alerted(session, case) == ["livno-os-1-pedagogue"]
        raise RuntimeError("the transaction fails after routing")
    with session_scope(engine) as session:
        for table in (Case, Referral, OutboxMessage, CaseEvent):
            assert session.scalar(select(func.count(table.id))) == 0, table.__name__


def test_a_submitted_report_is_rolled_back_with_its_alerts(engine) -> None:
    with session_scope(engine) as session:
        report = {"incident_type": "physical", "school_id": school_id(session, "livno-os-2")}
    with pytest.raises(RuntimeError, match="after routing"), session_scope(engine) as session:
        issued = submit_report(session, Report.from_fields(report))
        assert alerted(session, session.get(Case, issued.case_id)) == ["livno-os-2-pedagogue"]
        raise RuntimeError("the transaction fails after routing")
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0
        assert session.scalar(select(func.count(Referral.id))) == 0
        assert session.scalar(select(func.count(Case.id))) == 0
    with session_scope(engine) as session:
        issued = submit_report(session, Report.from_fields(report))
    with session_scope(engine) as session:
        case = session.get(Case, issued.case_id)
        assert alerted(session, case) == ["livno-os-2-pedagogue"]
        assert case.ack_deadline_at == issued.deadline


def test_critical_adds_the_principal_and_the_red_cross_on_duty(session) -> None:
    case = routed(session, incident_type="physical", danger_now="yes")
    refs = referrals(session, case)
    assert list(refs) == ["livno-os-1-pedagogue", "livno-os-1-principal", "red-cross-duty-livno"]
    assert all(r.in_chain for r in refs.values())
    assert refs["livno-os-1-principal"].reason == "critical"
    assert refs["red-cross-duty-livno"].reason == "critical"
    assert alerted(session, case) == list(refs)
    assert (case.severity, case.severity_reason) == ("critical", DANGER)
    assert event_bodies(session, case, "triaged") == [f"critical: {DANGER}"]


def test_the_red_cross_team_on_duty_is_chosen_by_the_schools_town_and_the_hour(session) -> None:
    # Tomislavgrad's team works mon-fri 07:30-15:30; Kupres' covers nights and weekends.
    day = routed(session, school="tomislavgrad-os-1", danger_now="yes")
    night = routed(session, now=T0 + timedelta(hours=12), school="tomislavgrad-os-1", danger_now="yes")
    assert "red-cross-duty-tomislavgrad" in referrals(session, day)
    assert "red-cross-duty-tomislavgrad" not in referrals(session, night)
    assert "red-cross-duty-livno" in referrals(session, night)  # always on duty


def test_self_harm_adds_red_cross_psychosocial_support_outside_the_chain(session) -> None:
    case = routed(session, crisis_kind="self_harm")
    psychosocial = referrals(session, case)["red-cross-psychosocial"]
    assert (psychosocial.reason, psychosocial.in_chain, psychosocial.status) == ("self_harm", False, "pending")
    assert "red-cross-psychosocial" in alerted(session, case)
    assert case.severity == "critical"


def test_a_danger_crisis_does_not_call_psychosocial_support(session) -> None:
    case = routed(session, crisis_kind="urgent_danger")
    assert "red-cross-psychosocial" not in referrals(session, case)
    assert case.severity == "critical"


@pytest.mark.parametrize("ground", ["ethnicity", "religion", "displaced", "roma"])
def test_discrimination_with_consent_alerts_legal_aid(session, ground: str) -> None:
    case = routed(session, incident_type="discrimination", discrimination_ground=ground, legal_aid_ok=True)
    legal = referrals(session, case)["legal-aid-mobile"]
    assert (legal.status, legal.in_chain, legal.reason) == ("pending", False, "discrimination_legal_aid")
    assert alerted(session, case) == ["livno-os-1-pedagogue", "legal-aid-mobile"]


@pytest.mark.parametrize("consent, status", [(None, "awaiting_consent"), (False, "declined")])
def test_discrimination_without_consent_alerts_nobody_at_legal_aid(session, consent, status) -> None:
    case = routed(session, incident_type="discrimination", discrimination_ground="roma", legal_aid_ok=consent)
    assert referrals(session, case)["legal-aid-mobile"].status == status
    assert alerted(session, case) == ["livno-os-1-pedagogue"]
    assert event_bodies(session, case, f"referral_{status}") == ["legal-aid-mobile: discrimination_legal_aid"]


@pytest.mark.parametrize(
    "consent, status, alerts",
    [
        (True, "pending", ["livno-os-1-pedagogue", "legal-aid-mobile"]),
        (False, "declined", ["livno-os-1-pedagogue"]),
    ],
)
def test_consent_given_after_a_first_routing_is_acted_on(session, consent, status, alerts) -> None:
    # A crisis in the middle of the report stores the ground before the consent question.
    case = routed(session, incident_type="discrimination", discrimination_ground="religion")
    assert referrals(session, case)["legal-aid-mobile"].status == "awaiting_consent"
    case.legal_aid_ok = consent
    route_case(session, case, T0 + timedelta(minutes=3))
    assert referrals(session, case)["legal-aid-mobile"].status == status
    assert alerted(session, case) == alerts


@pytest.mark.parametrize("ground", ["gender", "disability", "language", "other"])
def test_other_grounds_of_discrimination_do_not_go_to_legal_aid(session, ground: str) -> None:
    case = routed(session, incident_type="discrimination", discrimination_ground=ground, legal_aid_ok=True)
    assert list(referrals(session, case)) == ["livno-os-1-pedagogue"]


@pytest.mark.parametrize(
    "fields",
    [
        {"incident_type": "home"},
        {"incident_type": "other", "description": "Tata me tuče kod kuće."},
    ],
)
def test_violence_at_home_adds_social_welfare(session, fields) -> None:
    case = routed(session, **fields)
    welfare = referrals(session, case)["social-welfare-k10"]
    assert (welfare.reason, welfare.in_chain) == ("home_violence", False)
    assert case.severity == "high"
    assert alerted(session, case) == ["livno-os-1-pedagogue", "social-welfare-k10"]


def test_no_school_goes_to_the_cantonal_coordinator(session) -> None:
    case = routed(session, school=None, incident_type="cyberbullying")
    refs = referrals(session, case)
    assert list(refs) == ["k10-coordinator"]
    assert (refs["k10-coordinator"].reason, refs["k10-coordinator"].in_chain) == ("no_school", True)
    assert alerted(session, case) == ["k10-coordinator"]


def _municipality(session, code: str) -> int:
    return session.scalars(select(Municipality.id).where(Municipality.code == code)).one()


def test_a_crisis_naming_only_a_town_alerts_every_school_there_and_its_red_cross(session) -> None:
    case = routed(
        session,
        school=None,
        crisis_kind="urgent_danger",
        severity="critical",
        municipality_id=_municipality(session, "livno"),
    )
    refs = referrals(session, case)
    assert sorted(refs) == [
        "livno-os-1-pedagogue",
        "livno-os-1-principal",
        "livno-os-2-pedagogue",
        "livno-os-2-principal",
        "livno-ss-1-pedagogue",
        "livno-ss-1-principal",
        "red-cross-duty-livno",
    ]  # no coordinator, no other town's team, no backups yet
    assert {refs["livno-os-2-principal"].reason, refs["livno-os-2-pedagogue"].reason} == {"town_schools"}
    assert all(r.in_chain for r in refs.values())


def test_a_crisis_at_a_named_school_stays_with_that_school(session) -> None:
    case = routed(
        session,
        school="livno-os-2",
        crisis_kind="urgent_danger",
        severity="critical",
        municipality_id=_municipality(session, "livno"),
    )
    assert sorted(referrals(session, case)) == ["livno-os-2-pedagogue", "livno-os-2-principal", "red-cross-duty-livno"]


def test_a_crisis_with_no_place_goes_to_the_coordinator(session) -> None:
    case = routed(session, school=None, crisis_kind="self_harm", severity="critical")
    refs = referrals(session, case)
    assert refs["k10-coordinator"].reason == "no_place"
    assert not any(code.endswith(("pedagogue", "principal")) for code in refs)


def test_a_responder_without_any_channel_is_referred_and_the_gap_recorded(session) -> None:
    pedagogue = responder(session, "livno-os-1-pedagogue")
    pedagogue.telegram_chat_id, pedagogue.sealed_phone = None, None
    case = routed(session, incident_type="bullying")
    assert referrals(session, case)["livno-os-1-pedagogue"].status == "pending"
    assert alerted(session, case) == []
    assert event_bodies(session, case, "alert_impossible") == ["livno-os-1-pedagogue: no reachable channel"]


# --- deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, severity, deadline",
    [
        ({"danger_now": "yes"}, "critical", T0 + timedelta(minutes=10)),
        ({"incident_type": "threats"}, "high", T0 + timedelta(hours=4)),
        ({"incident_type": "physical"}, "medium", datetime(2025, 1, 17, 9, 0, tzinfo=timezone.utc)),
        ({"incident_type": "bullying"}, "low", datetime(2025, 1, 22, 9, 0, tzinfo=timezone.utc)),
    ],
)
def test_the_deadline_follows_the_severity(session, fields, severity, deadline) -> None:
    case = routed(session, **fields)
    assert case.severity == severity and case.severity_reason
    assert case.ack_deadline_at == deadline


def test_school_days_skip_the_weekend(session) -> None:
    saturday = datetime(2025, 1, 18, 15, 0, tzinfo=timezone.utc)
    case = routed(session, now=saturday, incident_type="physical")
    # Counted from Monday 08:00: two school days later is Wednesday 08:00 local (07:00 UTC).
    assert case.ack_deadline_at == datetime(2025, 1, 22, 7, 0, tzinfo=timezone.utc)


def test_the_deadline_is_read_back_from_the_database(engine) -> None:
    with session_scope(engine) as session:
        case_id = routed(session, incident_type="threats").id
    with session_scope(engine) as session:
        assert session.get(Case, case_id).ack_deadline_at == T0 + timedelta(hours=4)


# --- routing again --------------------------------------------------------------------------


def test_a_crisis_then_its_full_report_alerts_nobody_twice(session) -> None:
    case = new_case(session, school=None, crisis_kind="urgent_danger", severity="critical")
    route_case(session, case, T0)
    first = referrals(session, case)
    assert "k10-coordinator" in first and "red-cross-duty-livno" in first
    crisis_deadline = case.ack_deadline_at
    assert crisis_deadline == T0 + timedelta(minutes=10)

    # Five minutes later the report names the school and the deadline must not move.
    case.school_id, case.incident_type = school_id(session, "livno-os-1"), "physical"
    session.flush()
    route_case(session, case, T0 + timedelta(minutes=5))
    refs = referrals(session, case)
    assert set(first) < set(refs)
    assert {"livno-os-1-pedagogue", "livno-os-1-principal"} <= set(refs)
    codes = alerted(session, case)
    assert sorted(codes) == sorted(set(codes)) == sorted(refs)
    assert case.ack_deadline_at == crisis_deadline
    assert [r.step for r in refs.values()] == [0] * len(refs)


def test_the_full_report_of_a_crisis_names_the_school_in_the_new_alerts(session) -> None:
    case_id = record_crisis(session, "urgent_danger", Report.from_fields({"language": "bcs"}), "pomozite")
    crisis = session.get(Case, case_id)
    crisis_deadline = crisis.ack_deadline_at
    before = set(alerted(session, crisis))
    issued = submit_report(
        session,
        Report.from_fields({"incident_type": "physical", "school_id": school_id(session, "livno-os-1")}),
        crisis_case_id=case_id,
    )
    assert issued.case_id == case_id and issued.deadline == crisis_deadline
    new_alert = session.scalars(
        select(OutboxMessage)
        .join(Responder, OutboxMessage.responder_id == Responder.id)
        .where(Responder.code == "livno-os-1-pedagogue")
    ).one()
    assert "OŠ Uzorak 1 Livno" in new_alert.body
    codes = alerted(session, crisis)
    assert before < set(codes) and len(codes) == len(set(codes))


def test_routing_again_after_acknowledgement_keeps_the_deadline_cleared(session) -> None:
    case = routed(session, school=None, crisis_kind="self_harm")
    case.acknowledged_at, case.ack_deadline_at = T0 + timedelta(minutes=2), None
    case.school_id = school_id(session, "livno-os-1")
    session.flush()
    route_case(session, case, T0 + timedelta(minutes=3))
    assert case.ack_deadline_at is None
    assert "livno-os-1-pedagogue" in referrals(session, case)


def test_an_earlier_deadline_replaces_a_later_one(session) -> None:
    case = routed(session, incident_type="bullying")  # low: five school days
    case.danger_now = "yes"
    route_case(session, case, T0 + timedelta(hours=1))
    assert case.severity == "critical"
    assert case.ack_deadline_at == T0 + timedelta(hours=1, minutes=10)
