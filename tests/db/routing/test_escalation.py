"""Escalation with time travel: a case nobody in its chain acknowledged by the deadline
climbs the call-down chain one step per missed deadline, every step a case event."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.alerts.acknowledgement import acknowledge
from bot.followup.thread import close_case
from bot.routing.deadlines import format_local
from bot.routing.escalation import MAX_REMINDERS, escalate_due
from bot.storage.db import session_scope
from bot.storage.models import Case, CaseEvent, Municipality, OutboxMessage, Referral
from tests.helpers.cases import T0, alerted, responder, routed


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def chain(session, case: Case) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """(step, responder) of every referral, in order."""
    rows = session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id))
    return [(r.step, r.responder.code) for r in rows]


def escalations(session, case: Case) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(("escalated", "reminded", "escalation_exhausted")))
        .order_by(CaseEvent.id)
    )
    return [(e.kind, e.body) for e in rows]


def deadline(case: Case) -> datetime | None:
    return case.ack_deadline_at


def test_nothing_escalates_before_the_deadline(session) -> None:
    case = routed(session, incident_type="physical")  # medium: Friday 10:00
    assert deadline(case) == utc(2025, 1, 17, 9, 0)
    assert escalate_due(session, deadline(case) - timedelta(microseconds=1)) == 0
    assert case.escalation_step == 0 and escalations(session, case) == []
    assert alerted(session, case) == ["livno-os-1-pedagogue"]


def test_a_medium_case_climbs_the_whole_chain_one_step_per_deadline(session) -> None:
    case = routed(session, incident_type="physical")
    # Each step waits one school day (data/hotline/routing.yml escalation_interval); Saturday and
    # Sunday do not count.
    steps = [
        (utc(2025, 1, 17, 9, 0), 1, "school:backup_counsellor", "livno-os-1-psychologist", utc(2025, 1, 20, 9, 0)),
        (utc(2025, 1, 20, 9, 0), 2, "school:principal", "livno-os-1-principal", utc(2025, 1, 21, 9, 0)),
        (utc(2025, 1, 21, 9, 0), 3, "service:red_cross_duty", "red-cross-duty-livno", utc(2025, 1, 22, 9, 0)),
        (utc(2025, 1, 22, 9, 0), 4, "canton:coordinator", "k10-coordinator", utc(2025, 1, 23, 9, 0)),
    ]
    for now, step, selector, code, next_deadline in steps:
        assert escalate_due(session, now) == 1
        assert case.escalation_step == step and deadline(case) == next_deadline
        assert chain(session, case)[-1] == (step, code)
        kind, body = escalations(session, case)[-1]
        assert kind == "escalated"
        assert body.startswith(f"step {step}: {selector} -> {code}; not acknowledged by ")
        [row] = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case.id, OutboxMessage.responder_id == responder(session, code).id
            )
        )
        assert row.body.startswith(f"NIJE POTVRĐENO NA VRIJEME – eskalacija, korak {step}\n")
        assert f"Potvrdite prijem do: {format_local(next_deadline, 'bcs')}\n" in row.body
    assert escalations(session, case)[0][1].endswith("not acknowledged by 17 Jan 2025, 10:00")
    assert alerted(session, case, reminders=False) == [
        "livno-os-1-pedagogue",
        "livno-os-1-psychologist",
        "livno-os-1-principal",
        "red-cross-duty-livno",
        "k10-coordinator",
    ]


def test_everyone_alerted_before_hears_what_changed_at_each_step(session) -> None:
    case = routed(session, incident_type="physical")
    for _ in range(3):
        escalate_due(session, deadline(case))
    pedagogue = responder(session, "livno-os-1-pedagogue")
    bodies = list(
        session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.case_id == case.id, OutboxMessage.responder_id == pedagogue.id)
            .order_by(OutboxMessage.id)
        )
    )
    assert len(bodies) == 4  # the alert, then one reminder per step
    assert bodies[1].startswith(
        "1. PODSJETNIK: prijavu još niko nije potvrdio. Sada je poslana i: Uzorak Psiholog Livno OŠ 1.\n"
    )
    assert bodies[3].startswith(
        "3. PODSJETNIK: prijavu još niko nije potvrdio. Sada je poslana i: Uzorak Dežurni tim Livno.\n"
    )
    # The same content, with the new deadline.
    content = [line for line in bodies[0].split("\n") if not line.startswith("Potvrdite prijem do")]
    for body in bodies[1:]:
        assert [line for line in body.split("\n")[1:] if not line.startswith("Potvrdite")] == content
    assert f"Potvrdite prijem do: {format_local(deadline(case), 'bcs')}" in bodies[3]
    principal = responder(session, "livno-os-1-principal")
    [first, reminder] = session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.responder_id == principal.id)
        .order_by(OutboxMessage.id)
    )
    assert first.startswith("NIJE POTVRĐENO NA VRIJEME – eskalacija, korak 2\n")
    assert reminder.startswith("3. PODSJETNIK")  # the step after it was added


def test_a_reminder_round_without_anyone_new_names_who_has_it(session) -> None:
    case = routed(session, incident_type="physical", danger_now="yes")
    for _ in range(3):
        escalate_due(session, deadline(case))
    coordinator = responder(session, "k10-coordinator")
    coordinator.language = "en"
    last = session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.responder_id == coordinator.id)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert last.startswith("3. PODSJETNIK: prijavu još niko nije potvrdio. Poslana je: ")
    assert "Uzorak Koordinator Kanton 10" in last.split("\n")[0]
    escalate_due(session, deadline(case))
    last = session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.responder_id == coordinator.id)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert last.startswith("4th REMINDER: nobody has acknowledged this report yet. It went to: ")


def test_the_chain_is_exhausted_once(session) -> None:
    case = routed(session, incident_type="physical")
    now = deadline(case)
    for _ in range(4):
        escalate_due(session, now)
        now = deadline(case)
    alerts_before, chain_size = len(alerted(session, case)), len(alerted(session, case, reminders=False))
    for _ in range(MAX_REMINDERS):  # the whole chain is reminded, once per interval
        assert escalate_due(session, now) == 1
        now = deadline(case)
    assert len(alerted(session, case)) == alerts_before + chain_size * MAX_REMINDERS
    assert escalate_due(session, now) == 0  # nobody is left to alert
    assert case.escalation_step == 4 and case.ack_deadline_at is None
    assert escalate_due(session, now + timedelta(days=30)) == 0
    kinds = [kind for kind, _ in escalations(session, case)]
    assert kinds == ["escalated"] * 4 + ["reminded"] * MAX_REMINDERS + ["escalation_exhausted"]
    assert escalations(session, case)[-1][1].startswith(
        "every contact of the chain was alerted and reminded; not acknowledged by "
    )


def test_steps_with_nobody_new_are_skipped(session) -> None:
    case = routed(session, incident_type="physical", danger_now="yes")
    assert chain(session, case) == [
        (0, "livno-os-1-pedagogue"),
        (0, "livno-os-1-principal"),
        (0, "red-cross-duty-livno"),
    ]
    escalate_due(session, T0 + timedelta(minutes=10))
    assert chain(session, case)[-1] == (1, "livno-os-1-psychologist")
    assert deadline(case) == T0 + timedelta(minutes=20)
    # The principal and the Red Cross had the case from the start: on to the coordinator.
    escalate_due(session, T0 + timedelta(minutes=20))
    assert chain(session, case)[-1] == (4, "k10-coordinator")
    assert case.escalation_step == 4 and deadline(case) == T0 + timedelta(minutes=30)
    codes = alerted(session, case, reminders=False)
    assert len(codes) == len(set(codes)) == 5
    escalate_due(session, T0 + timedelta(minutes=30))  # nobody new: a reminder for all five
    assert [kind for kind, _ in escalations(session, case)] == ["escalated", "escalated", "reminded"]
    assert sorted(alerted(session, case)[-5:]) == sorted(codes)


def test_a_school_without_a_backup_escalates_to_the_principal(session) -> None:
    responder(session, "livno-os-1-psychologist").active = False
    case = routed(session, incident_type="threats")
    escalate_due(session, T0 + timedelta(hours=4))
    assert chain(session, case)[-1] == (2, "livno-os-1-principal")
    assert escalations(session, case)[0][1].startswith("step 2: school:principal -> ")


def test_a_case_without_a_school_escalates_to_the_red_cross(session) -> None:
    case = routed(session, school=None, incident_type="threats")
    assert chain(session, case) == [(0, "k10-coordinator")]
    escalate_due(session, T0 + timedelta(hours=4))
    steps = chain(session, case)[1:]
    assert steps and {step for step, _ in steps} == {3}
    assert all(code.startswith("red-cross-duty-") for _, code in steps)
    escalate_due(session, deadline(case))
    assert escalations(session, case)[-1][0] == "reminded"


def test_a_crisis_naming_a_town_escalates_within_that_town_then_to_the_coordinator(session) -> None:
    livno = session.scalars(select(Municipality.id).where(Municipality.code == "livno")).one()
    case = routed(session, school=None, crisis_kind="urgent_danger", severity="critical", municipality_id=livno)
    assert "k10-coordinator" not in {code for _, code in chain(session, case)}
    escalate_due(session, deadline(case))
    # The school steps find nobody (no school named) and the town's Red Cross team was
    # alerted at once: the first escalation is the coordinator's.
    assert chain(session, case)[-1] == (4, "k10-coordinator")
    assert not any(
        code.startswith("red-cross-duty-") and code != "red-cross-duty-livno" for _, code in chain(session, case)
    )


def test_only_one_step_per_call_however_late_the_worker_is(session) -> None:
    case = routed(session, incident_type="threats")
    assert escalate_due(session, T0 + timedelta(days=3)) == 1
    assert case.escalation_step == 1
    assert deadline(case) == T0 + timedelta(days=3, hours=2)


def test_acknowledgement_stops_the_escalation(session) -> None:
    case = routed(session, incident_type="threats")
    escalate_due(session, T0 + timedelta(hours=4))
    result = acknowledge(
        session, case.code, responder(session, "livno-os-1-psychologist"), "test", T0 + timedelta(hours=5)
    )
    assert result.outcome == "acknowledged" and case.ack_deadline_at is None
    assert escalate_due(session, T0 + timedelta(days=30)) == 0
    assert len(escalations(session, case)) == 1 and case.escalation_step == 1


def test_a_service_acknowledging_does_not_stop_the_escalation(session) -> None:
    case = routed(session, incident_type="home")
    acknowledge(session, case.code, responder(session, "social-welfare-k10"), "test", T0)
    assert escalate_due(session, T0 + timedelta(hours=4)) == 1
    assert chain(session, case)[-1] == (1, "livno-os-1-psychologist")


def test_a_closed_case_does_not_escalate(session) -> None:
    case = routed(session, incident_type="threats")
    close_case(session, case, "duplicate", "k10-coordinator", T0 + timedelta(minutes=5))
    assert escalate_due(session, T0 + timedelta(days=30)) == 0
    assert escalations(session, case) == []


def test_several_cases_escalate_together_in_deadline_order(session) -> None:
    late = routed(session, school="livno-os-2", incident_type="threats")
    early = routed(session, incident_type="physical", danger_now="yes")
    untouched = routed(session, school="kupres-os-1", incident_type="bullying")
    assert escalate_due(session, T0 + timedelta(hours=4)) == 2
    assert (early.escalation_step, late.escalation_step, untouched.escalation_step) == (1, 1, 0)
    session.flush()
    first, second = (
        session.scalars(select(CaseEvent.id).where(CaseEvent.case_id == c.id, CaseEvent.kind == "escalated")).one()
        for c in (early, late)
    )
    assert first < second


def test_escalation_state_survives_a_restart(engine) -> None:
    with session_scope(engine) as session:
        case_id = routed(session, incident_type="threats").id
    for step, now in ((1, T0 + timedelta(hours=4)), (2, T0 + timedelta(hours=6))):
        with session_scope(engine) as session:  # a new worker process each time
            assert escalate_due(session, now) == 1
        with session_scope(engine) as session:
            case = session.get(Case, case_id)
            assert case.escalation_step == step
            assert case.ack_deadline_at == now + timedelta(hours=2)
    with session_scope(engine) as session:
        case = session.get(Case, case_id)
        assert [body.split(";")[0] for _, body in escalations(session, case)] == [
            "step 1: school:backup_counsellor -> livno-os-1-psychologist",
            "step 2: school:principal -> livno-os-1-principal",
        ]
        assert escalations(session, case)[1][1].endswith("not acknowledged by 15 Jan 2025, 16:00")
