"""The embedded default takes the same path: a locked SQLite file makes the channels
journal and answer (a crisis within 2 s), and replay once the lock is gone; where even the
journal cannot be written, the webhook answers 503 (so that Telegram retries) and a crisis
still gets its reply."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.devtools.channel_client import (
    first_sent_at,
    post_sms,
    post_telegram,
    sms_sent,
    telegram_sent,
    text_update,
    wait_sms,
    wait_until,
)
from bot.devtools.stack import Stack, prepare_database
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return prepare_database(f"sqlite:///{tmp_path_factory.mktemp('outage-sqlite') / 'hotline.db'}")


@pytest.fixture(scope="module")
def journal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sqlite-stack") / "journal"


@pytest.fixture(scope="module")
def stack(database: str, journal_dir: Path) -> Iterator[Stack]:
    running = Stack(
        database,
        journal_dir.parent,
        with_fakes=True,
        with_worker=True,
        extra_env={"HOTLINE_JOURNAL_DIR": str(journal_dir)},
    ).start()
    yield running
    running.stop()


class Locked:
    """Another process holds the SQLite file's write lock."""

    def __init__(self, database: str) -> None:
        self.connection = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)

    def __enter__(self) -> Locked:
        self.connection.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *_: object) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def crisis_cases(database: str) -> list[Case]:
    with session_scope(engine_for(database)) as session:
        return list(session.scalars(select(Case).where(Case.crisis_kind.is_not(None))))


def test_a_locked_database_file_takes_the_journal_path(stack: Stack, database: str, journal_dir: Path) -> None:
    crisis, plain = "+38761800001", "+38761800002"
    with Locked(database):
        started = time.time()
        assert post_sms(stack, crisis, "ima pistolj i prijeti da ce nas ubiti")[0] == 200
        assert first_sent_at(stack, crisis) - started <= 2.0
        assert post_sms(stack, plain, "zdravo")[0] == 200
        assert "odgovorit" in wait_sms(stack, plain, 1, timeout=10)[0]["Body"]
        assert list(journal_dir.glob("*.journal*"))
    [case] = wait_until(lambda: crisis_cases(database), timeout=60)
    assert case.crisis_kind == "urgent_danger"
    wait_sms(stack, plain, 2)  # the real answer
    time.sleep(2)
    assert len(sms_sent(stack, crisis)) == 1 and len(sms_sent(stack, plain)) == 2


def test_the_crisis_reply_does_not_wait_for_a_locked_file(stack: Stack, database: str) -> None:
    chat = 750001
    with Locked(database):
        started = time.time()
        assert post_telegram(stack, text_update(chat, "hocu da se ubijem veceras")) == 200
        # Answered while its delivery still waited for the lock (the webhook's answer
        # came after the 5 s).
        assert first_sent_at(stack, chat) - started <= 2.0
    time.sleep(3)
    assert len(telegram_sent(stack, chat)) == 1


def test_when_not_even_the_journal_can_be_written_the_answer_is_503_and_the_crisis_is_answered(
    stack: Stack, database: str, journal_dir: Path
) -> None:
    shutil.rmtree(journal_dir, ignore_errors=True)
    journal_dir.write_text("not a directory: the journal cannot be written (a full disk)")
    chat = 750002
    try:
        with Locked(database):
            status = post_telegram(stack, text_update(chat, "netko ima noz u skoli, pomozite"))
            assert status == 503  # Telegram sends it again later
            assert "122" in wait_until(lambda: telegram_sent(stack, chat), timeout=10)[0]["text"]
    finally:
        journal_dir.unlink()
