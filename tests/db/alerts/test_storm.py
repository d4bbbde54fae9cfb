"""Alert storms: more than three open critical cases for one person become one message
listing them (one acknowledge button each), held a few seconds between messages; fewer
stay one message each, and nothing else is ever grouped or held."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.alerts import storm as alert_storm
from bot.channels.sms_text import size
from bot.outbox import store as outbox
from bot.storage.models import Case, OutboxMessage, utcnow
from tests.helpers.cases import responder, routed

WORDS = (
    "Jedan ucenik ima noz u skoli i prijeti drugima. Svi smo zakljucani u ucionici. "
    "Molim vas pomozite nam brzo, bojim se."
)
PEOPLE = {
    "livno-os-1-pedagogue": "7000000011",
    "livno-os-1-principal": "7000000013",
    "red-cross-duty-livno": "7000000301",
}


def crises(session, count: int, school: str = "livno-os-1") -> list[Case]:  # type: ignore[no-untyped-def]
    return [
        routed(session, school=school, severity="critical", crisis_kind="urgent_danger", description=WORDS)
        for _ in range(count)
    ]


def claim(session, now=None, limit: int = 20) -> list[outbox.Claimed]:  # type: ignore[no-untyped-def]
    return outbox.claim_due(session, now or utcnow() + timedelta(seconds=1), limit, batcher=alert_storm.batches)


def test_three_open_critical_cases_are_still_one_message_each(session) -> None:
    crises(session, 3)
    claimed = claim(session)
    assert len(claimed) == 9 and all(len(message.ids) == 1 for message in claimed)


def test_a_fourth_open_case_makes_one_message_per_person_listing_them_all(session) -> None:
    cases = crises(session, 4)
    claimed = claim(session)
    assert sorted(message.address for message in claimed) == sorted(PEOPLE.values())
    for message in claimed:
        assert len(message.ids) == 4 and message.kind == "alert"
        assert message.body.startswith("Javi se – VIŠE KRITIČNIH PRIJAVA: 4 nepotvrđenih")
        for number, case in enumerate(cases, start=1):
            assert f"{number}. {case.code} – oružje. Mjesto: OŠ Uzorak 1 Livno." in message.body
        assert message.body.count(WORDS) == 4  # the words in full, on Telegram
        assert "Prvo, oružje: Oružje: odmah nazovite policiju 122" in message.body
        assert message.buttons == [
            {"title": f"Potvrđujem {case.code}", "payload": f"ack:{case.code}"} for case in cases
        ]
    rows = session.scalars(select(OutboxMessage)).all()
    assert {row.status for row in rows} == {"sending"} and len(rows) == 12


def test_a_storm_message_lists_every_due_alert_of_the_person_beyond_the_batch(session) -> None:
    cases = crises(session, 9)  # 27 alerts, a batch of 20
    claimed = claim(session, limit=20)
    assert len(claimed) == 3 and all(len(message.ids) == 9 for message in claimed)
    assert all(case.code in claimed[0].body for case in cases)


def test_during_a_storm_the_next_message_waits_a_few_seconds_then_lists_what_came_meanwhile(session) -> None:
    crises(session, 4)
    first = claim(session)
    now = utcnow() + timedelta(seconds=1)
    for message in first:
        for outbox_id in message.ids:
            outbox.mark_sent(session, outbox_id, now)
    later = crises(session, 2)
    assert claim(session, now + alert_storm.STORM_SPACING / 2) == []  # held, not dropped
    held = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()
    assert len(held) == 6
    assert {row.next_attempt_at for row in held} == {now + alert_storm.STORM_SPACING}
    claimed = claim(session, now + alert_storm.STORM_SPACING)
    assert len(claimed) == 3 and all(len(message.ids) == 2 for message in claimed)
    assert "6 nepotvrđenih" in claimed[0].body and "navodi 2" in claimed[0].body
    assert all(case.code in claimed[0].body for case in later)


def test_by_sms_a_storm_message_has_short_words_and_says_how_to_acknowledge(session) -> None:
    principal = responder(session, "livno-os-1-principal")
    principal.telegram_chat_id = None  # reachable by SMS only
    session.flush()
    cases = crises(session, 4)
    [message] = [m for m in claim(session) if m.channel == outbox.SMS]
    assert message.buttons == [] and f"OK {cases[0].code}" in message.body
    assert WORDS not in message.body and "Jedan ucenik ima noz" in message.body
    quoted = [line for line in message.body.splitlines() if line.startswith("Riječi djeteta")]
    assert len(quoted) == 4 and all(size(line).segments <= 2 for line in quoted)


def test_acknowledged_and_other_cases_are_not_counted_nor_grouped(session) -> None:
    cases = crises(session, 3)
    cases[0].acknowledged_at = utcnow()
    routed(session, incident_type="bullying", description="Zadirkuju me.")  # not critical
    crises(session, 1)
    session.flush()
    claimed = claim(session)
    # Three open critical cases (one was acknowledged): one message per alert.
    assert all(len(message.ids) == 1 for message in claimed)
    assert len(claimed) == 4 * 3 + 1  # four critical cases to three people, the bullying to one
