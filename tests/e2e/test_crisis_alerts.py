"""Crisis alerts end to end, in BCS Latin, Cyrillic and English: a crisis message over
the hotline's Telegram reaches the staff of the school (and the town's Red Cross duty
team) it names, with the kind, the place and the child's words; a further message joins
the same case and is forwarded; an acknowledgement tells the child that an adult has
seen it; a crisis with no place reaches the coordinator; and a storm of critical cases
reaches each person as one grouped message."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.alerts.storm import STORM_SPACING
from bot.devtools.channel_client import post_telegram, telegram_sent, text_update, wait_telegram, wait_until
from bot.devtools.stack import STAFF_SECRET, Stack
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case, Responder

from .test_alerts import COORDINATOR_CHAT, case_state, last_case_id, latest_crisis_case, staff_messages

pytestmark = pytest.mark.model

RED_CROSS_LIVNO = 7000000301


def cases_count(stack: Stack) -> int:
    with session_scope(engine_for(stack.database_url)) as session:
        return session.scalar(select(func.count(Case.id)))


def press_ack(stack: Stack, chat: int, code: str) -> None:
    press = {
        "update_id": int(time.time() * 1000) % 10**9,
        "callback_query": {
            "id": f"cbq-{code}",
            "chat_instance": "s",
            "data": f"ack:{code}",
            "from": {"id": chat, "is_bot": False, "first_name": "S"},
            "message": {"message_id": 9, "date": int(time.time()), "chat": {"id": chat, "type": "private"}},
        },
    }
    assert post_telegram(stack, press, secret=STAFF_SECRET, bot="staff_telegram") == 200


def chats(messages: list[dict]) -> set[str]:
    return {str(m["chat_id"]) for m in messages}


def reach(stack: Stack, needle: str, everyone: set[str]) -> list[dict]:
    """The staff messages holding `needle`, once all of `everyone` has one."""
    try:
        return wait_until(
            lambda: (lambda found: found if chats(found) >= everyone else None)(
                [m for m in staff_messages(stack, needle) if str(m["chat_id"]) in everyone]
            )
        )
    except AssertionError:
        raise AssertionError(f"{needle!r} reached {staff_messages(stack, needle)}, not all of {everyone}") from None


def write(stack: Stack, chat: int, text: str) -> list[dict]:
    count = len(telegram_sent(stack, chat))
    assert post_telegram(stack, text_update(chat, text)) == 200
    return wait_telegram(stack, chat, count + 1)[count:]


LIVE_CASES = [
    # (the crisis, its school, the place in the alert, the second message,
    #  the kind label, "an adult has seen it" as the child reads it)
    pytest.param(
        730001,
        "Hitno! Jedan ucenik ima noz u OS Uzorak 1 Livno i prijeti drugima",
        "livno-os-1",
        "OŠ Uzorak 1 Livno",
        "Sad je u hodniku, zakljucali smo se",
        "Kriza: oružje",
        "Odrasla osoba iz škole",
        id="bcs-latin",
    ),
    pytest.param(
        730002,
        "Хитно! Један ученик има нож у ОШ Узорак 2 Ливно и пријети другима",
        "livno-os-2",
        "OŠ Uzorak 2 Livno",
        "Сада је у ходнику, закључали смо се",
        "Kriza: oružje",
        "Одрасла особа из школе",
        id="bcs-cyrillic",
    ),
    pytest.param(
        730003,
        "Help! A boy has a knife at Srednja skola Uzorak Livno and he is threatening people",
        "livno-ss-1",
        "Srednja škola Uzorak Livno",
        "He is in the corridor now, we locked the door",
        "Kriza: oružje",
        "An adult from the school",
        id="en",
    ),
]


def school_chats(stack: Stack, school: str) -> list[str]:
    """The Telegram chats of a school's pedagogue and principal (another test enrols one
    anew), the pedagogue first."""
    with session_scope(engine_for(stack.database_url)) as session:
        return [
            session.scalars(select(Responder.telegram_chat_id).where(Responder.code == f"{school}-{role}")).one()
            for role in ("pedagogue", "principal")
        ]


@pytest.mark.parametrize("child, crisis, school, place, second, kind, seen", LIVE_CASES)
def test_a_crisis_naming_a_school_reaches_it_lives_on_and_the_child_hears_it_was_seen(
    stack: Stack, child: int, crisis: str, school: str, place: str, second: str, kind: str, seen: str
) -> None:
    before = last_case_id(stack)
    replies = write(stack, child, crisis)
    assert any("122" in r["text"] for r in replies)  # the emergency numbers at once
    case = latest_crisis_case(stack, before)
    staff = school_chats(stack, school)
    everyone = {*staff, str(RED_CROSS_LIVNO)}
    alerts = reach(stack, case.code, everyone)
    for alert in alerts:
        assert kind in alert["text"] and f"Mjesto: {place}" in alert["text"]
        assert crisis in alert["text"]  # the child's words, in full on Telegram
    assert str(COORDINATOR_CHAT) not in chats(staff_messages(stack, case.code))
    state = case_state(stack, case.code)
    assert state.school_id is not None and state.municipality_id is not None

    count = cases_count(stack)
    write(stack, child, second)
    forwarded = reach(stack, second, everyone)
    assert all(case.code in m["text"] for m in forwarded)
    assert cases_count(stack) == count  # the same case, no new alert storm
    assert second in case_state(stack, case.code).description

    seen_before = len(telegram_sent(stack, child))
    press_ack(stack, int(staff[0]), case.code)
    told = wait_telegram(stack, child, seen_before + 1)[seen_before:]
    assert any(seen in m["text"] and "122" in m["text"] for m in told)
    assert case_state(stack, case.code).acknowledged_at is not None


@pytest.mark.parametrize(
    "child, crisis",
    [
        (730011, "Netko ce me sada ubiti, ima pistolj"),
        (730012, "Он има пиштољ и каже да ће ме убити"),
        (730013, "someone has a gun and says he will kill me"),
    ],
)
def test_a_crisis_with_no_place_reaches_the_coordinator(stack: Stack, child: int, crisis: str) -> None:
    before = last_case_id(stack)
    write(stack, child, crisis)
    case = latest_crisis_case(stack, before)
    [alert] = wait_until(
        lambda: [m for m in staff_messages(stack, case.code) if str(m["chat_id"]) == str(COORDINATOR_CHAT)]
    )
    assert "Mjesto: nije poznato" in alert["text"] and "Kriza:" in alert["text"]
    assert {r.reason for r in case_state(stack, case.code).referrals} >= {"no_place"}


STORM = 20


def test_a_storm_of_critical_cases_gives_each_recipient_a_grouped_message(stack: Stack) -> None:
    # Twenty children report the same fight with a knife at one school.
    before = last_case_id(stack)
    with ThreadPoolExecutor(10) as pool:
        list(
            pool.map(
                lambda number: stack.say(
                    f"storm-{number}", f"Hitno, u OŠ Uzorak Kupres jedan ima nož i prijeti svima ({number})"
                ),
                range(STORM),
            )
        )
    with session_scope(engine_for(stack.database_url)) as session:
        codes = list(session.scalars(select(Case.code).where(Case.id > before, Case.crisis_kind.is_not(None))))
    assert len(codes) == STORM
    school = school_chats(stack, "kupres-os-1")

    def grouped() -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for message in staff_messages(stack, "VIŠE KRITIČNIH PRIJAVA"):
            found.setdefault(str(message["chat_id"]), []).append(message)
        return found if set(school) <= set(found) else {}

    by_chat = wait_until(grouped)
    # What came during a storm message's spacing follows in the next one.
    time.sleep(2 * STORM_SPACING.total_seconds() + 1)
    for chat in school:
        messages = [
            m for m in staff_messages(stack) if str(m["chat_id"]) == chat and any(code in m["text"] for code in codes)
        ]
        alone = [m for m in messages if "VIŠE KRITIČNIH PRIJAVA" not in m["text"]]
        # At most three alerts on their own, then grouped; every case reaches everyone once.
        assert len(alone) <= 3 and len(messages) < STORM / 2, len(messages)
        for code in codes:
            assert sum(code in m["text"] for m in messages) == 1, code
        buttons = [
            b["callback_data"] for m in by_chat[chat] for row in m["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert buttons and all(b.startswith("ack:JS-") for b in buttons)
