"""Rasa's SQL tracker store on the hotline's own database (DATABASE_URL), so that one
setting decides where conversations and cases live, and both survive restarts.

Rasa wraps every tracker store in its FailSafeTrackerStore, which on a database error
returns no tracker (the conversation silently starts again, and a half-finished report is
lost) or keeps the tracker in memory only. Importing this module (endpoints.yml names it,
so Rasa imports it before it builds its agent) replaces that wrapper with
NoSilentRestartStore: an unreachable database raises TrackerUnavailable, the channel's
outage desk answers the writer, and the turn runs again from the inbox once the database
is back, on the tracker as it was."""

from __future__ import annotations

from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

from rasa.core import agent as rasa_agent
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker

from bot import settings
from bot.storage import availability
from bot.storage.availability import DatabaseUnavailable, is_unavailable
from bot.storage.db import engine_for

T = TypeVar("T")


def sql_store_arguments(url: str) -> dict[str, Any]:
    """SQLTrackerStore's keyword arguments for an SQLAlchemy URL."""
    parsed = make_url(url)
    return {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


class HotlineTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        url = kwargs.pop("url", None) or settings.database_url()
        super().__init__(domain=domain, event_broker=event_broker, **sql_store_arguments(url), **kwargs)
        # Rasa's own engine opens a new SQLite connection for every turn and waits for an
        # unreachable PostgreSQL as long as TCP does; ours keeps a pool, sets the WAL
        # pragmas the hotline's tables rely on, and gives up on a connection in seconds.
        self.engine.dispose()
        self.engine: Engine = engine_for(url)
        self.sessionmaker = sessionmaker(bind=self.engine)


class TrackerUnavailable(DatabaseUnavailable):
    """A conversation's tracker could not be loaded or saved."""


class NoSilentRestartStore(FailSafeTrackerStore):
    """Rasa's wrapper, without its fallbacks: an error that says the database is away is
    raised (as TrackerUnavailable), never answered with an empty or in-memory tracker."""

    @staticmethod
    async def _call(call: Coroutine[Any, Any, T]) -> T:
        if not availability.state().reachable:  # Rasa's store blocks the loop: do not wait
            call.close()
            raise TrackerUnavailable("tracker store unavailable: the database is away")
        try:
            return await call
        except Exception as error:
            if is_unavailable(error):
                raise TrackerUnavailable(f"tracker store unavailable: {type(error).__name__}") from error
            raise

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._call(self._tracker_store.retrieve(sender_id))

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._call(self._tracker_store.retrieve_full_tracker(sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._call(self._tracker_store.save(tracker))

    async def keys(self) -> Iterable[str]:
        return await self._call(self._tracker_store.keys())


def _create_tracker_store(store: TrackerStore | None, domain: Domain) -> TrackerStore:
    if store is not None:
        store.domain = domain
    else:
        store = InMemoryTrackerStore(domain)
    return NoSilentRestartStore(store)


rasa_agent.Agent._create_tracker_store = staticmethod(_create_tracker_store)
