"""The database goes away (a TCP proxy between the stack and PostgreSQL is cut) and nothing
is lost: a crisis is answered with the emergency numbers at once, other messages are
acknowledged, the journal is replayed once the database is back (the crisis case and its
alerts are created, the other messages are answered, a report goes on at the question where
it stopped), nothing is answered twice; also when Rasa is killed during the cut."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.devtools.channel_client import (
    first_sent_at,
    post_sms,
    post_telegram,
    sms_sent,
    telegram_sent,
    text_update,
    wait_sms,
    wait_telegram,
    wait_until,
)
from bot.devtools.databases import fresh_postgres_database
from bot.devtools.stack import Stack, prepare_database
from bot.devtools.tcp_proxy import TcpProxy
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case, OutboxMessage

pytestmark = pytest.mark.model

CRISIS_REPLY_TARGET = 2.0


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    for url in fresh_postgres_database():
        yield prepare_database(url)


@pytest.fixture(scope="module")
def proxy(database: str) -> Iterator[TcpProxy]:
    parsed = make_url(database)
    running = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    yield running
    running.close()


@pytest.fixture(scope="module")
def stack(database: str, proxy: TcpProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    through_proxy = make_url(database).set(host="127.0.0.1", port=proxy.port)
    workdir = tmp_path_factory.mktemp("outage")
    running = Stack(
        through_proxy.render_as_string(hide_password=False),
        workdir,
        with_fakes=True,
        with_worker=True,
        extra_env={"HOTLINE_JOURNAL_DIR": str(workdir / "journal")},
    ).start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def restored(proxy: TcpProxy) -> Iterator[None]:
    yield
    proxy.restore()


def crisis_cases(database: str, after: int = 0) -> list[Case]:
    with session_scope(engine_for(database)) as session:
        return list(session.scalars(select(Case).where(Case.id > after, Case.crisis_kind.is_not(None))))


def last_case_id(database: str) -> int:
    with session_scope(engine_for(database)) as session:
        return session.scalars(select(Case.id).order_by(Case.id.desc())).first() or 0


def alerts_of(database: str, case_id: int) -> list[OutboxMessage]:
    with session_scope(engine_for(database)) as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.kind == "alert")
            )
        )


def write(stack: Stack, chat: int, text: str) -> str:
    count = len(telegram_sent(stack, chat))
    assert post_telegram(stack, text_update(chat, text)) == 200
    return wait_telegram(stack, chat, count + 1)[-1]["text"]


def test_during_a_cut_nothing_is_lost_and_nothing_is_answered_twice(
    stack: Stack, proxy: TcpProxy, database: str
) -> None:
    reporter, control = 740001, 740009
    # A report over Telegram, begun before the cut; the same report without a cut shows
    # which question comes next.
    for chat in (reporter, control):
        write(stack, chat, "želim prijaviti nasilje u školi")
        asked = write(stack, chat, "2")  # the type: the next question follows
    expected_next = write(stack, control, "meni")
    before = last_case_id(database)

    proxy.cut()
    crisis_phone, plain_phone, crisis_chat = "+38761700001", "+38761700002", 740002
    started = time.time()
    assert post_sms(stack, crisis_phone, "hocu da se ubijem veceras")[0] == 200
    assert first_sent_at(stack, crisis_phone) - started <= CRISIS_REPLY_TARGET
    started = time.time()
    assert post_telegram(stack, text_update(crisis_chat, "Jedan ima nož u školi i prijeti nam")) == 200
    assert first_sent_at(stack, crisis_chat) - started <= CRISIS_REPLY_TARGET
    assert "080 05 03 05" in sms_sent(stack, crisis_phone)[0]["Body"]
    assert "122" in telegram_sent(stack, crisis_chat)[0]["text"]

    assert post_sms(stack, plain_phone, "zdravo")[0] == 200
    assert "odgovorit" in wait_sms(stack, plain_phone, 1)[0]["Body"]  # "we have your message"
    mid_report = len(telegram_sent(stack, reporter))
    assert post_telegram(stack, text_update(reporter, "meni")) == 200
    assert "odgovorit" in wait_telegram(stack, reporter, mid_report + 1)[-1]["text"]

    time.sleep(3)  # a longer cut
    proxy.restore()
    cases = wait_until(
        lambda: (lambda found: found if len(found) >= 2 else None)(crisis_cases(database, before)), timeout=60
    )
    assert {c.crisis_kind for c in cases} == {"self_harm", "urgent_danger"}
    for case in cases:
        wait_until(lambda case_id=case.id: alerts_of(database, case_id), timeout=30)
    # The plain message and the report's answer get their real answers now.
    wait_sms(stack, plain_phone, 2)
    after = wait_telegram(stack, reporter, mid_report + 2)[-1]["text"]
    assert after == expected_next != asked  # where it stopped, not from the start
    time.sleep(2)
    assert len(sms_sent(stack, crisis_phone)) == 1 and len(telegram_sent(stack, crisis_chat)) == 1
    assert len(sms_sent(stack, plain_phone)) == 2
    assert not list((stack.workdir / "journal").glob("*.journal*"))  # replayed and gone


def test_a_rasa_killed_during_the_cut_loses_nothing(stack: Stack, proxy: TcpProxy, database: str) -> None:
    before = last_case_id(database)
    phone, plain, reporter = "+38761700011", "+38761700012", 740011
    write(stack, reporter, "želim prijaviti nasilje u školi")
    asked = write(stack, reporter, "2")
    proxy.cut()
    assert post_sms(stack, phone, "netko ima pistolj u skoli i prijeti da ce nas ubiti")[0] == 200
    assert post_sms(stack, plain, "zdravo")[0] == 200
    mid_report = len(telegram_sent(stack, reporter))
    assert post_telegram(stack, text_update(reporter, "meni")) == 200
    wait_sms(stack, phone, 1)
    wait_sms(stack, plain, 1)
    wait_telegram(stack, reporter, mid_report + 1)
    # That the reply went out is journaled right after the API's answer: a kill in those
    # milliseconds would send it again after the restart (a repeat, never a loss).
    time.sleep(0.5)
    stack.kill_process("rasa")
    proxy.restore()
    stack.start_process("rasa")
    [case] = wait_until(lambda: crisis_cases(database, before), timeout=60)
    wait_until(lambda: alerts_of(database, case.id), timeout=30)
    wait_sms(stack, plain, 2)  # its real answer, from the journal of the killed process
    after = wait_telegram(stack, reporter, mid_report + 2)[-1]["text"]
    assert after != asked and "odgovorit" not in after  # the report goes on
    time.sleep(2)
    assert len(sms_sent(stack, phone)) == 1, sms_sent(stack, phone)  # the emergency reply, once
    assert len(sms_sent(stack, plain)) == 2
    assert not list((stack.workdir / "journal").glob("*.journal*"))
