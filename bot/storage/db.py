"""Engine and sessions for DATABASE_URL (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, Row, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.expression import Executable

from bot import settings
from bot.storage import availability

T = TypeVar("T")
CONNECT_TIMEOUT_SECONDS = 3
# How long a write waits for a locked SQLite file before it counts as an outage (the
# channel then journals the message): well within Twilio's 15 s webhook timeout.
SQLITE_BUSY_SECONDS = 5
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
# PostgreSQL connections each process keeps open. Above the pool, a connection is opened
# for one transaction and closed after it, which costs the server a new backend each
# time: the default of 5 made the console's two workers, with 20 staff at once, reconnect
# on most requests. Six processes (REST, actions, worker, console x2, CLI) keep at most
# 60 open and reach 90 in a burst, under PostgreSQL's default of 100.
POSTGRES_POOL_SIZE = 10
POSTGRES_MAX_OVERFLOW = 5


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging: readers do not block the writer, and a commit needs no full
    # fsync of the database file; Rasa's tracker store shares the file and benefits too.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads straight from the mapped file instead of a copy into each connection's cache:
    # the console's workers read the same pages on many connections at once.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLAlchemy 1.4 opens a new SQLite connection (and runs the pragmas) for every
        # session by default; a pool of connections shared by the worker threads saves
        # several milliseconds per transaction.
        engine = create_engine(
            url,
            future=True,
            poolclass=QueuePool,
            pool_size=8,
            max_overflow=24,
            connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    # An unreachable server is given up in seconds, not after TCP's minutes, for a new
    # connection and for one that goes silent: the channel then journals the message
    # (bot.channels.outage).
    return create_engine(
        url,
        future=True,
        pool_pre_ping=True,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_MAX_OVERFLOW,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": 8000,
        },
    )


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


def default_engine() -> Engine:
    return engine_for(settings.database_url())


async def in_session(function: Callable[..., T], *args: Any) -> T:
    """Run `function(session, *args)` in one transaction on a worker thread, so that
    database work (and PIN hashing) never blocks the event loop."""

    def work() -> T:
        with session_scope() as session:
            return function(session, *args)

    return await asyncio.to_thread(work)


async def on_loop(function: Callable[..., T], *args: Any) -> T:
    """Run `function(session, *args)` in one transaction right here, on the event loop.

    For the channels' per-message bookkeeping (one or two indexed statements, about a
    millisecond), as Rasa's own tracker store does: under load, handing such a statement
    to a thread cost the Rasa process more CPU (GIL hand-overs) than the statement itself
    (bench-channels: 87 -> 69 ms of CPU per message at 40 conversations)."""
    if not availability.state().reachable:
        # Known to be away: fail at once rather than hold the event loop (and every
        # conversation and crisis reply on it) for a connection timeout. A thread's
        # attempt (the outage desk's) finds out when it is back.
        raise availability.DatabaseUnavailable(f"database unreachable since {availability.state().down_since}")
    with session_scope() as session:
        return function(session, *args)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    factory = sessionmaker(bind=engine or default_engine(), future=True, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def plain_rows(session: Session, statement: Executable, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
    """A read's rows as the database gives them, past the ORM's result machinery (which
    costs more than a small query): for pages that only show what they read. Changes
    still pending in the session are written first, as the ORM's own queries do."""
    session.flush()
    return session.connection().execute(statement, params or {}).all()
