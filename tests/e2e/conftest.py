from __future__ import annotations

from typing import Iterator

import pytest

from bot.paths import DATA_DIR
from bot.storage.db import make_engine, session_scope
from bot.storage.migrate import upgrade

from .stack import SECRET_KEY, Stack


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    import os

    from bot.directory import import_directory

    # Phones are sealed and keyed with the secret the stack runs with.
    os.environ["HOTLINE_SECRET_KEY"] = SECRET_KEY
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'hotline.db'}"
    upgrade(url)
    with session_scope(make_engine(url)) as session:
        import_directory(session, DATA_DIR / "directory.yml")
    return url


@pytest.fixture(scope="session")
def stack(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(e2e_database, tmp_path_factory.mktemp("stack"), with_fakes=True,
                    with_worker=True).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def stack_without_actions(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A second Rasa server on the same database whose action server is down."""
    running = Stack(e2e_database, tmp_path_factory.mktemp("stack-down"), with_actions=False).start()
    yield running
    running.stop()
