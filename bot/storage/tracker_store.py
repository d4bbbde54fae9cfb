"""Rasa's SQL tracker store on the hotline's own database (DATABASE_URL), so that one
setting decides where conversations and cases live, and both survive restarts."""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot import settings
from bot.storage.db import engine_for


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
    def __init__(self, domain: Optional[Domain] = None, host: Optional[str] = None,
                 event_broker: Optional[EventBroker] = None, **kwargs: Any) -> None:
        url = kwargs.pop("url", None) or settings.database_url()
        super().__init__(domain=domain, event_broker=event_broker,
                         **sql_store_arguments(url), **kwargs)
        if make_url(url).get_backend_name() == "sqlite":
            # Rasa's own SQLite engine opens a new connection for every turn; ours keeps
            # a pool and sets the WAL pragmas the hotline's tables rely on.
            self.engine.dispose()
            self.engine = engine_for(url)
            self.sessionmaker = sessionmaker(bind=self.engine)
