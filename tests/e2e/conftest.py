from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.devtools.stack import Stack, prepare_database
from bot.storage.db import session_scope


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return prepare_database(f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'hotline.db'}")


@pytest.fixture(scope="session")
def stack(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(
        e2e_database, tmp_path_factory.mktemp("stack"), with_fakes=True, with_worker=True, with_console=True
    ).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def stack_without_actions(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A second Rasa server on the same database whose action server is down."""
    running = Stack(e2e_database, tmp_path_factory.mktemp("stack-down"), with_actions=False).start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def no_open_cases_from_other_tests(request: pytest.FixtureRequest) -> None:
    """Tests on the shared stack start without the open cases of the tests before them:
    more than three open critical cases for one person make an alert storm (grouped
    alerts), which only the storm test is about."""
    if "stack" not in request.fixturenames:
        return
    from sqlalchemy import update

    from bot.storage.db import engine_for
    from bot.storage.models import Case, utcnow

    with session_scope(engine_for(request.getfixturevalue("e2e_database"))) as session:
        session.execute(update(Case).where(Case.closed_at.is_(None)).values(closed_at=utcnow(), status="closed"))


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright on Debian's Chromium (`apt-get install -y chromium`; .ci/run does):
    Playwright's own browser download is not available here."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (bash .ci/run installs it)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": ["--no-sandbox"]}
