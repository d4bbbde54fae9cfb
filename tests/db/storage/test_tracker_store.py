"""No silent restarts: Rasa's agent gets NoSilentRestartStore instead of its fail-safe
wrapper, and an unreachable database raises TrackerUnavailable instead of giving an empty
tracker or keeping one in memory."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import exc
from sqlalchemy.engine import make_url

from bot.devtools.tcp_proxy import TcpProxy
from bot.storage.tracker_store import HotlineTrackerStore, NoSilentRestartStore, TrackerUnavailable


class Failing(InMemoryTrackerStore):
    def __init__(self, error: Exception) -> None:
        super().__init__(Domain.empty())
        self.error = error

    async def retrieve(self, sender_id):  # type: ignore[no-untyped-def]
        raise self.error

    async def save(self, tracker):  # type: ignore[no-untyped-def]
        raise self.error


AWAY = exc.OperationalError("SELECT 1", {}, Exception("could not connect to server"))


def test_rasa_agents_get_the_store_without_silent_fallbacks() -> None:
    assert isinstance(Agent._create_tracker_store(None, Domain.empty()), NoSilentRestartStore)


def test_an_unreachable_database_is_raised_never_answered_with_an_empty_tracker() -> None:
    store = NoSilentRestartStore(Failing(AWAY))
    with pytest.raises(TrackerUnavailable):
        asyncio.run(store.retrieve("conversation"))
    with pytest.raises(TrackerUnavailable):
        asyncio.run(store.save(DialogueStateTracker("conversation", [])))
    assert store._fallback_tracker_store is None  # nothing was kept in memory instead


def test_other_errors_stay_what_they_are() -> None:
    with pytest.raises(ValueError):
        asyncio.run(NoSilentRestartStore(Failing(ValueError("a bug"))).retrieve("conversation"))


def test_a_postgresql_cut_raises_on_load_and_save_and_the_tracker_is_there_after(postgres_url: str) -> None:
    parsed = make_url(postgres_url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        store = NoSilentRestartStore(HotlineTrackerStore(Domain.empty(), url=url))
        tracker = DialogueStateTracker("outage-conversation", [])
        tracker.update(UserUttered("zdravo"))
        asyncio.run(store.save(tracker))
        proxy.cut()
        with pytest.raises(TrackerUnavailable):
            asyncio.run(store.retrieve("outage-conversation"))
        proxy.restore()
        assert asyncio.run(store.retrieve("outage-conversation")) is not None
    finally:
        proxy.close()
