"""The local journal: where a channel keeps the deliveries it could not write to the
database, until the database is back.

One append-only file per channel and process (`<channel>-<pid>-<random>.journal` in
HOTLINE_JOURNAL_DIR, default var/journal: a PID can come back after a restart). Each record
is one line, "<crc32> <token>", where the token is the record's JSON encrypted with the deployment's key (Fernet, a key
derived from HOTLINE_SECRET_KEY, not the contact vault's); the address inside is sealed
as in the inbox as well. Every append is flushed and fsynced before the webhook answers.

A process holds an exclusive lock on its own file for as long as it runs, so another
process can tell a file whose owner died (it can take the lock) and replay it too. A
torn record (the process died in the middle of a write) fails its checksum and is skipped;
it was never acknowledged to anyone. A write that fails (a full disk) is cut off again, so
that the records after it stay whole."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.fernet import Fernet, InvalidToken

from bot import settings
from bot.paths import PROJECT_DIR
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

SUFFIX = ".journal"


def journal_dir() -> Path:
    return Path(settings.env("HOTLINE_JOURNAL_DIR") or PROJECT_DIR / "var" / "journal")


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"journal:" + settings.secret_key()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encode(record: dict[str, Any]) -> bytes:
    token = _fernet().encrypt(json.dumps(record, ensure_ascii=False).encode())
    return b"%08x %s\n" % (zlib.crc32(token), token)


def decode_lines(data: bytes) -> Iterator[dict[str, Any]]:
    """The records of a journal file, in order, skipping torn or unreadable ones."""
    for line in data.split(b"\n"):
        if not line:
            continue
        checksum, _, token = line.partition(b" ")
        try:
            valid = int(checksum, 16) == zlib.crc32(token)
            record = json.loads(_fernet().decrypt(token)) if valid else None
        except (ValueError, InvalidToken):
            record = None
        if record is None:
            logger.warning("journal: an unreadable record (torn by a crash?) is skipped")
            continue
        yield record


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:  # another process has just replayed and deleted it
        return b""


def _locked(path: Path, create: bool = False) -> BinaryIO | None:
    """The file opened for appending with its lock taken; None when its owner holds it."""
    handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | (os.O_CREAT if create else 0), 0o600), "ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


@dataclass
class Batch:
    """Records taken out of journal files for a replay; `done()` deletes the files."""

    records: list[dict[str, Any]]
    files: list[tuple[Path, BinaryIO]]

    def done(self) -> None:
        for path, handle in self.files:
            path.unlink(missing_ok=True)
            handle.close()
        self.files = []

    def keep(self) -> None:
        """The replay failed: the files stay for the next one (their locks are released)."""
        for _path, handle in self.files:
            handle.close()
        self.files = []


class Journal:
    """One channel's journal in this process."""

    def __init__(self, channel: str, directory: Path | None = None) -> None:
        self.channel = channel
        self.directory = directory or journal_dir()
        self._handle: BinaryIO | None = None
        self._rotations = 0
        self._name = f"{self.channel}-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    @property
    def path(self) -> Path:
        return self.directory / f"{self._name}{SUFFIX}"

    def has_records(self) -> bool:
        """Whether this process journaled something since the last `take`."""
        return self._handle is not None

    def others_waiting(self) -> bool:
        """Whether journal files of this channel are there (a dead process's, a kept one)."""
        return self.directory.exists() and any(self.directory.glob(f"{self.channel}-*{SUFFIX}*"))

    def append(self, record: dict[str, Any]) -> None:
        """Write one record durably (raises OSError when the disk cannot take it)."""
        if self._handle is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._handle = _locked(self.path, create=True)
            if self._handle is None:
                raise OSError(f"journal {self.path} is locked by another process")
        start = self._handle.tell()
        try:
            self._handle.write(encode({**record, "at": utcnow().isoformat()}))
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError:
            try:  # no half record for the next one to be glued to
                self._handle.truncate(start)
            except OSError:
                pass
            raise

    def take(self) -> Batch:
        """Every record waiting for a replay: this process's (its file is set aside, new
        records go to a new one) and those of dead processes, oldest file first."""
        files: list[tuple[Path, BinaryIO]] = []
        if self._handle is not None:
            self._rotations += 1
            aside = self.path.with_name(f"{self.path.name}.{self._rotations}")
            self.path.rename(aside)
            files.append((aside, self._handle))  # still locked by us
            self._handle = None
        for path in sorted(self.directory.glob(f"{self.channel}-*{SUFFIX}*")) if self.directory.exists() else []:
            if any(path == taken for taken, _ in files):
                continue
            try:
                handle = _locked(path)
            except FileNotFoundError:
                continue
            if handle is not None:
                files.append((path, handle))
        records = [record for path, _ in files for record in decode_lines(_read(path))]
        records.sort(key=lambda record: record["at"])  # stable: a file's own order stays
        return Batch(records, files)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def depth(directory: Path | None = None) -> tuple[int, datetime | None]:
    """How many deliveries wait in the journal files, and when the oldest came."""
    count, oldest = 0, None
    folder = directory or journal_dir()
    for path in folder.glob(f"*{SUFFIX}*") if folder.exists() else []:
        for record in decode_lines(_read(path)):
            if record.get("type") != "delivery":
                continue
            count += 1
            at = datetime.fromisoformat(record["at"])
            oldest = at if oldest is None or at < oldest else oldest
    return count, oldest
