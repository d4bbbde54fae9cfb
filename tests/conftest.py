"""Shared fixtures: real databases (a SQLite file and the local PostgreSQL), migrated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.devtools.databases import fresh_postgres_database
from bot.paths import DATA_DIR
from bot.storage.db import make_engine, session_scope
from bot.storage.migrate import upgrade


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: pytest-playwright's session-wide sync Playwright keeps an event
    loop running in the main thread, and asyncio tests after it could not start theirs."""
    items.sort(key=lambda item: "page" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    yield from fresh_postgres_database()


def _empty_tables(engine: Engine) -> None:
    from bot.storage.models import Base

    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):  # children before parents
            connection.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of each kind, with the sample directory loaded."""
    from bot.directory.import_export import import_directory

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hotline.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _empty_tables(engine)
    with session_scope(engine) as session:
        import_directory(session, DATA_DIR / "directory.yml")
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def app_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL for code that opens its own sessions (actions, CLI): a migrated SQLite
    file with the sample directory."""
    from bot.directory.import_export import import_directory

    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    with session_scope(make_engine(url)) as session:
        import_directory(session, DATA_DIR / "directory.yml")
    yield url


@pytest.fixture
def app_engine(app_database: str) -> Iterator[Engine]:
    """An engine on app_database, for tests that open their own sessions beside the code
    under test."""
    engine = make_engine(app_database)
    yield engine
    engine.dispose()


@pytest.fixture
def db(app_engine: Engine) -> Iterator[Session]:
    """A session on app_database: a migrated SQLite file with the sample directory loaded."""
    with session_scope(app_engine) as session:
        yield session
