"""A critical alert says what is happening and where, in the child's words, whether the
child may be contacted and what to do first, and nothing about who the child is."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.alerts.crisis_details import crisis_kind, sms_words
from bot.cases.report import Report
from bot.channels.sms_text import size
from bot.outbox import store as outbox
from bot.storage.models import Case, OutboxMessage
from tests.helpers.cases import responder, routed

WORDS = (
    "Jedan ucenik ima noz u skoli i prijeti drugima. Svi smo zakljucani u ucionici. "
    "Ne znamo gdje je sada nastavnik, molim vas pomozite nam brzo, bojim se."
)


def _alert(session, case: Case, code: str) -> str:  # type: ignore[no-untyped-def]
    return session.scalars(
        select(OutboxMessage.body).where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.kind == "alert",
            OutboxMessage.responder_id == responder(session, code).id,
        )
    ).first()


def test_a_critical_alert_carries_the_kind_the_place_the_words_and_the_first_step(session) -> None:
    case = routed(session, severity="critical", crisis_kind="urgent_danger", description=WORDS)
    body = _alert(session, case, "livno-os-1-pedagogue")
    assert "Kriza: oružje" in body and "Mjesto: OŠ Uzorak 1 Livno" in body
    assert WORDS in body and "Prvo: Oružje: odmah nazovite policiju 122" in body
    assert "Kontakt s djetetom: nije još pitano" in body


def test_self_harm_and_danger_without_a_weapon(session) -> None:
    harm = routed(session, severity="critical", crisis_kind="self_harm", description="ne želim više živjeti")
    assert crisis_kind(harm) == "self_harm"
    danger = routed(session, severity="critical", crisis_kind="urgent_danger", description="jure me sada")
    assert crisis_kind(danger) == "danger"


def test_by_sms_the_words_are_cut_to_two_segments_or_left_out(session, monkeypatch: pytest.MonkeyPatch) -> None:
    short = sms_words(WORDS)
    assert WORDS.startswith(short) and size(short).segments <= 2 and short.endswith("učionici.".replace("č", "c"))
    case = routed(session, severity="critical", crisis_kind="urgent_danger", description=WORDS)
    from bot.alerts.compose import alert_text

    assert short in alert_text(case, "bcs", outbox.SMS) and WORDS not in alert_text(case, "bcs", outbox.SMS)
    monkeypatch.setenv("ALERT_SMS_WITH_WORDS", "false")
    assert "ucenik" not in alert_text(case, "bcs", outbox.SMS)
    assert WORDS in alert_text(case, "bcs", outbox.STAFF_TELEGRAM)  # the staff bot still shows them


def test_an_ordinary_alert_still_carries_no_words(session) -> None:
    case = routed(session, incident_type="bullying", description="Stalno me zadirkuju.")
    assert "Stalno me" not in _alert(session, case, "livno-os-1-pedagogue")


def test_a_further_crisis_message_goes_to_everyone_alerted_without_a_new_case(session) -> None:
    from bot.cases.submission import add_crisis_message, record_crisis

    case_id = record_crisis(
        session, "urgent_danger", Report.from_fields({"description": "ima nož u školi"}), "ima nož u školi"
    )
    alerted = session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.kind == "alert")
    ).all()
    add_crisis_message(session, case_id, "urgent_danger", "sad je u hodniku")
    forwarded = session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.kind == "staff_message")
    ).all()
    assert forwarded and {m.responder_id for m in forwarded} == {m.responder_id for m in alerted}
    assert all("sad je u hodniku" in m.body for m in forwarded)
    assert session.scalar(select(Case.description).where(Case.id == case_id)) == "ima nož u školi\nsad je u hodniku"
    assert session.query(Case).count() == 1
