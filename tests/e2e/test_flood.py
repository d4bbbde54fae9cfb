"""Flood and cost control over the real channels: a sender who writes too fast gets one
polite answer and then nothing, an SMS sender past the daily cap gets one notice and then
nothing, and a crisis is answered whatever the limits. The limits are set low here."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.channels.sms_text import size
from bot.devtools.channel_client import (
    post_sms,
    post_telegram,
    sms_sent,
    telegram_sent,
    text_update,
    wait_sms,
    wait_telegram,
    wait_until,
)
from bot.devtools.stack import Stack, prepare_database
from bot.storage.db import engine_for, session_scope
from bot.storage.models import InboxMessage

pytestmark = pytest.mark.model

PER_MINUTE, SENDER_SEGMENTS = 4, 5
FLOOD_NOTICE, BUDGET_NOTICE = "brže nego što mogu", "ne mogu poslati vise sms"  # SMS folds diacritics
CRISIS = "ima nož u školi i prijeti nam, pomozite"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("flood")
    database = prepare_database(f"sqlite:///{workdir / 'hotline.db'}")
    running = Stack(
        database,
        workdir,
        with_fakes=True,
        extra_env={
            "FLOOD_MESSAGES_PER_MINUTE": str(PER_MINUTE),
            "FLOOD_MESSAGES_PER_DAY": "0",
            "SMS_DAILY_SEGMENTS_PER_SENDER": str(SENDER_SEGMENTS),
            "SMS_DAILY_SEGMENTS_TOTAL": "0",
        },
    ).start()
    yield running
    running.stop()


def _statuses(stack: Stack, status: str) -> int:
    with session_scope(engine_for(stack.database_url)) as session:
        return session.scalar(select(func.count(InboxMessage.id)).where(InboxMessage.status == status)) or 0


def _logs(stack: Stack) -> str:
    return "\n".join(
        p.read_text(errors="replace") for p in stack.workdir.glob("*.log") if not p.name.startswith("fakes")
    )


def test_a_telegram_flood_gets_one_answer_and_a_crisis_still_gets_through(stack: Stack) -> None:
    chat = 810001
    for number in range(PER_MINUTE + 6):
        assert post_telegram(stack, text_update(chat, f"zdravo narandzastikisobran {number}")) == 200
    wait_until(lambda: _statuses(stack, "limited") == 6)
    sent = telegram_sent(stack, chat)
    assert [m["text"] for m in sent].count(next(m["text"] for m in sent if FLOOD_NOTICE in m["text"])) == 1
    assert "122" in next(m["text"] for m in sent if FLOOD_NOTICE in m["text"])
    before = len(sent)
    assert post_telegram(stack, text_update(chat, CRISIS)) == 200
    crisis_reply = wait_telegram(stack, chat, before + 1)[before:]
    assert any("122" in m["text"] and FLOOD_NOTICE not in m["text"] for m in crisis_reply)
    logs = _logs(stack)
    assert "flood limit: conversation" in logs and "narandzastikisobran" not in logs
    assert "flood limit passed for a crisis message" in logs


def test_the_sms_cap_holds_with_one_notice_and_a_crisis_still_gets_through(stack: Stack) -> None:
    sender = "+38763810002"
    for _ in range(4):  # within the flood limit: only the SMS cap is at work
        assert post_sms(stack, sender, "zdravo")[0] == 200
        wait_until(lambda: _statuses(stack, "pending") == 0)
    time.sleep(0.5)
    texts = [m["Body"] for m in sms_sent(stack, sender)]
    notices = [t for t in texts if BUDGET_NOTICE in t.lower()]
    assert len(notices) == 1
    replies = texts[: texts.index(notices[0])]
    assert replies and sum(size(t).segments for t in replies) <= SENDER_SEGMENTS
    assert texts[-1] == notices[0]  # the fourth "zdravo" was held back: nothing after the notice
    before = len(texts)
    assert post_sms(stack, sender, CRISIS)[0] == 200
    crisis_reply = [m["Body"] for m in wait_sms(stack, sender, before + 1)[before:]]
    assert any("122" in t for t in crisis_reply)
    logs = _logs(stack)
    assert "sms sender daily cap reached" in logs and "sent for a crisis" in logs
