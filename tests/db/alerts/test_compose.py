"""Staff alerts: what they say (and never say), on which channel, in whose language, and
at most one per referral and channel."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.alerts import compose as alerts
from bot.cases.report import Report
from bot.cases.submission import submit_report
from bot.outbox import store as outbox
from bot.privacy import reporter_addresses
from bot.routing.deadlines import format_local
from bot.storage.db import session_scope
from bot.storage.models import Case, OutboxMessage, Referral
from tests.helpers.cases import T0, referral, responder, routed, school_id

DESCRIPTION = "Marko iz 7b me tuče nožem iza sale svaki dan."


def alert_rows(session, case: Case, code: str | None = None) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    query = select(OutboxMessage).where(OutboxMessage.case_id == case.id, OutboxMessage.kind == "alert")
    if code:
        query = query.where(OutboxMessage.responder_id == responder(session, code).id)
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_an_alert_names_the_case_school_type_severity_and_deadline(session) -> None:
    case = routed(session, incident_type="physical", danger_now="yes")
    [row] = alert_rows(session, case, "livno-os-1-pedagogue")
    assert row.body == (
        f"Javi se – nova prijava {case.code}\n"
        "Škola: OŠ Uzorak 1 Livno\n"
        "Vrsta: Fizičko nasilje\n"
        "Hitnost: KRITIČNA\n"
        "Potvrdite prijem do: 15.01.2025. u 10:10\n"
        "Osoba koja je prijavila ostaje anonimna."
    )


def test_an_alert_never_carries_the_description_pin_or_the_reporters_address(engine) -> None:
    with session_scope(engine) as session:
        school = school_id(session, "livno-os-1")
        reporter_addresses.request_contact(session, "conv-1")
        session.flush()
        reporter_addresses.fill(session, "conv-1", "sms", "+38761555123")
        issued = submit_report(
            session,
            Report.from_fields(
                {
                    "incident_type": "physical",
                    "school_id": school,
                    "description": DESCRIPTION,
                    "affected": "me",
                    "reporter_role": "student",
                    "contact_ok": True,
                    "incident_time": "yesterday after the last lesson",
                }
            ),
            conversation_id="conv-1",
        )
    with session_scope(engine) as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert")))
        assert len(rows) == 3  # critical (a knife): counsellor, principal, Red Cross
        for row in rows:
            assert issued.code in row.body
            for secret in (DESCRIPTION, "Marko", "nož", issued.pin, "+38761555123", "555123", "yesterday", "student"):
                assert secret not in row.body
                assert secret not in (row.buttons_json or "")


def test_a_case_without_a_school_says_so(session) -> None:
    case = routed(session, school=None, incident_type="cyberbullying")
    [row] = alert_rows(session, case)
    assert "Škola: nije navedena – kantonalni koordinator" in row.body
    assert "Vrsta: Elektronsko nasilje" in row.body and "Hitnost: niska" in row.body


def test_an_alert_is_in_the_responders_language(session) -> None:
    responder(session, "livno-os-1-pedagogue").language = "en"
    case = routed(session, incident_type="threats")
    [row] = alert_rows(session, case)
    deadline = format_local(T0 + timedelta(hours=4), "en")
    assert deadline == "15 Jan 2025, 14:00"
    assert row.body.splitlines() == [
        f"Javi se – new report {case.code}",
        "School: OŠ Uzorak 1 Livno",
        "Type: Threats or weapons",
        "Urgency: high",
        f"Please acknowledge by: {deadline}",
        "The reporter stays anonymous.",
    ]
    assert json.loads(row.buttons_json) == [{"title": "Acknowledge", "payload": f"ack:{case.code}"}]


def test_a_telegram_alert_has_an_acknowledge_button_and_no_sms_hint(session) -> None:
    case = routed(session, incident_type="bullying")
    [row] = alert_rows(session, case)
    assert row.channel == outbox.STAFF_TELEGRAM
    assert json.loads(row.buttons_json) == [{"title": "Potvrđujem prijem", "payload": f"ack:{case.code}"}]
    assert "OK " not in row.body


def test_an_sms_alert_tells_how_to_acknowledge_and_has_no_buttons(session) -> None:
    responder(session, "livno-os-1-pedagogue").channels = "sms"
    case = routed(session, incident_type="bullying")
    [row] = alert_rows(session, case)
    assert row.channel == outbox.SMS and row.buttons_json is None
    assert row.body.endswith(f"\nOdgovorite OK {case.code} da potvrdite da ste je primili.")


@pytest.mark.parametrize(
    "channels, chat, phone, expected",
    [
        ("telegram,sms", True, True, ["staff_telegram", "sms"]),
        ("sms,telegram", True, True, ["sms", "staff_telegram"]),
        ("telegram,sms", False, True, ["sms"]),  # not enrolled in the staff bot yet
        ("telegram", False, True, []),
        ("sms", True, False, []),
    ],
)
def test_reachable_channels_follow_preference_and_known_addresses(session, channels, chat, phone, expected) -> None:
    person = responder(session, "livno-os-1-pedagogue")
    person.channels = channels
    person.telegram_chat_id = person.telegram_chat_id if chat else None
    person.sealed_phone = person.sealed_phone if phone else None
    assert alerts.reachable_channels(person) == expected


def test_the_next_channel_after_a_failed_one(session) -> None:
    person = responder(session, "livno-os-1-pedagogue")
    assert alerts.next_channel(person, outbox.STAFF_TELEGRAM) == outbox.SMS
    assert alerts.next_channel(person, outbox.SMS) is None
    person.channels = "sms,telegram"
    assert alerts.next_channel(person, outbox.SMS) == outbox.STAFF_TELEGRAM


def test_at_most_one_alert_per_referral_and_channel(session) -> None:
    case = routed(session, incident_type="bullying")
    pedagogue = referral(session, case, "livno-os-1-pedagogue")
    assert alerts.queue_alert(session, case, pedagogue) is None
    assert alerts.queue_alert(session, case, pedagogue, channel=outbox.STAFF_TELEGRAM) is None
    fallback = alerts.queue_alert(session, case, pedagogue, channel=outbox.SMS)
    assert fallback is not None and fallback.dedupe_key == f"alert:{pedagogue.id}:sms"
    assert alerts.queue_alert(session, case, pedagogue, channel=outbox.SMS) is None
    assert [r.channel for r in alert_rows(session, case)] == ["staff_telegram", "sms"]


def test_a_fallback_alert_for_a_case_read_back_from_the_database(engine) -> None:
    with session_scope(engine) as session:
        case_id = routed(session, incident_type="threats").id
    with session_scope(engine) as session:  # another process, as the worker is
        case = session.get(Case, case_id)
        row = alerts.queue_alert(session, case, referral(session, case, "livno-os-1-pedagogue"), channel=outbox.SMS)
        assert "Potvrdite prijem do: 15.01.2025. u 14:00" in row.body
        assert "Škola: OŠ Uzorak 1 Livno" in row.body


def test_an_escalation_alert_says_which_step(session) -> None:
    case = routed(session, incident_type="bullying")
    backup = Referral(
        case=case,
        responder=responder(session, "livno-os-1-psychologist"),
        reason="escalation:school:backup_counsellor",
        step=1,
        in_chain=True,
        status="pending",
    )
    session.add(backup)
    session.flush()
    row = alerts.queue_alert(session, case, backup)
    assert row.body.startswith(f"NIJE POTVRĐENO NA VRIJEME – eskalacija, korak 1\nJavi se – nova prijava {case.code}\n")


def test_a_staff_message_goes_on_the_first_channel_once(session) -> None:
    person = responder(session, "livno-os-1-principal")
    first = alerts.queue_staff_message(session, person, "Odgovor", "answer:1:2")
    assert (first.kind, first.channel, first.dedupe_key) == (
        "staff_message",
        "staff_telegram",
        "answer:1:2:staff_telegram",
    )
    assert alerts.queue_staff_message(session, person, "Odgovor", "answer:1:2") is None
    person.telegram_chat_id = person.sealed_phone = None
    assert alerts.queue_staff_message(session, person, "Odgovor", "answer:1:3") is None
