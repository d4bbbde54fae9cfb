"""The local journal: durable (fsynced) appends, order, each record replayed once, a torn
last record ignored, nothing readable on disk, and the files of dead processes taken over."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from bot.storage import journal
from bot.storage.journal import Journal


def delivery(number: int) -> dict:
    return {
        "type": "delivery",
        "delivery_id": f"d{number}",
        "text": f"hocu da se ubijem {number}",
        "sealed_address": "gAAAA-sealed",
    }


def test_every_append_is_fsynced_before_it_returns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(journal.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    log = Journal("sms", tmp_path)
    log.append(delivery(1))
    log.append(delivery(2))
    assert len(synced) == 2


def test_records_come_back_in_order_once_and_the_files_go(tmp_path: Path) -> None:
    log = Journal("sms", tmp_path)
    for number in range(5):
        log.append(delivery(number))
    batch = log.take()
    assert [r["delivery_id"] for r in batch.records] == [f"d{n}" for n in range(5)]
    batch.done()
    assert log.take().records == [] and list(tmp_path.iterdir()) == []


def test_what_comes_during_a_replay_waits_for_the_next(tmp_path: Path) -> None:
    log = Journal("telegram", tmp_path)
    log.append(delivery(1))
    batch = log.take()
    log.append(delivery(2))  # the database failed again meanwhile
    batch.done()
    assert [r["delivery_id"] for r in log.take().records] == ["d2"]


def test_a_failed_replay_keeps_the_records(tmp_path: Path) -> None:
    log = Journal("sms", tmp_path)
    log.append(delivery(1))
    log.take().keep()
    assert [r["delivery_id"] for r in log.take().records] == ["d1"]


def test_a_torn_last_record_is_ignored(tmp_path: Path) -> None:
    log = Journal("sms", tmp_path)
    log.append(delivery(1))
    log.append(delivery(2))
    log.close()
    data = log.path.read_bytes()
    log.path.write_bytes(data + journal.encode(delivery(3))[:40])  # killed mid-write
    assert [r["delivery_id"] for r in Journal("sms", tmp_path).take().records] == ["d1", "d2"]


def test_a_torn_record_in_the_middle_costs_only_itself(tmp_path: Path) -> None:
    log = Journal("sms", tmp_path)
    log.append(delivery(1))
    log.close()
    with log.path.open("ab") as file:
        file.write(journal.encode(delivery(2))[:30] + b"\n")  # a write that failed halfway
    log.append(delivery(3))
    assert [r["delivery_id"] for r in log.take().records] == ["d1", "d3"]


def test_a_restarted_process_with_the_same_pid_never_overwrites_a_file(tmp_path: Path) -> None:
    first, second = Journal("sms", tmp_path), Journal("sms", tmp_path)
    first.append(delivery(1))
    first.take().keep()  # set aside, its replay failed
    second.append(delivery(2))
    second.take().keep()
    assert sorted(r["delivery_id"] for r in Journal("sms", tmp_path).take().records) == ["d1", "d2"]


def test_nothing_on_disk_is_readable(tmp_path: Path) -> None:
    log = Journal("sms", tmp_path)
    log.append(delivery(1))
    raw = log.path.read_bytes()
    assert b"ubijem" not in raw and b"sealed" not in raw and b"delivery" not in raw


def test_a_dead_process_file_is_taken_over_and_a_live_one_is_not(tmp_path: Path) -> None:
    dead = tmp_path / f"sms-999999-dead{journal.SUFFIX}"
    dead.write_bytes(journal.encode({**delivery(7), "at": "2026-01-01T00:00:00+00:00"}))
    live = tmp_path / f"sms-888888-live{journal.SUFFIX}"
    live.write_bytes(journal.encode({**delivery(8), "at": "2026-01-01T00:00:00+00:00"}))
    owner = open(live, "ab")  # noqa: SIM115  # held open as the live process would
    fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)  # its process still runs
    try:
        batch = Journal("sms", tmp_path).take()
        assert [r["delivery_id"] for r in batch.records] == ["d7"]
        batch.done()
        assert not dead.exists() and live.exists()
    finally:
        owner.close()


def test_depth_counts_the_waiting_deliveries_and_the_oldest(tmp_path: Path) -> None:
    log = Journal("sms", tmp_path)
    assert journal.depth(tmp_path) == (0, None)
    log.append(delivery(1))
    log.append({"type": "answered", "delivery_id": "d1", "kind": "crisis"})
    log.append(delivery(2))
    count, oldest = journal.depth(tmp_path)
    assert count == 2 and oldest is not None
