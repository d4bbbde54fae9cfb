"""Whether the database is reachable, as every process of the hotline sees it.

An error that means "the database is away" (a connection refused or dropped, a locked or
read-only SQLite file, a full disk, a pool or a write that timed out) sends a delivery to
the journal (bot.storage.journal) instead of failing it. The outage is logged once, when it
starts ("database unreachable since ..."), and once when it ends, not once per request;
`state()` gives the same facts to `hotline status` and to health and metrics endpoints."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exc

from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

# Words of driver errors that mean the database cannot be used now, whatever the request:
# PostgreSQL connections refused, dropped or timed out; a SQLite file locked, read-only,
# unreadable or on a full disk. Not "no such table" or a syntax error: those are bugs.
_AWAY = (
    "closed",
    "connection",
    "could not connect",
    "server",
    "terminating",
    "timeout",
    "timed out",
    "database is locked",
    "readonly",
    "read-only",
    "disk i/o",
    "disk is full",
    "unable to open",
    "broken pipe",
    "the database system is",
    "no route to host",
)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached; the work should be journaled and retried."""


def is_unavailable(error: BaseException) -> bool:
    """True for errors that say the database is away, not that the request was wrong."""
    if isinstance(error, (DatabaseUnavailable, exc.DisconnectionError, exc.TimeoutError)):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.InternalError)):
        message = str(error.orig if isinstance(error, exc.DBAPIError) else error).lower()
        return any(word in message for word in _AWAY)
    return False


@dataclass(frozen=True)
class State:
    reachable: bool
    down_since: datetime | None
    last_error: str | None


class _Tracker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_since: datetime | None = None
        self._last_error: str | None = None

    def down(self, error: BaseException) -> None:
        with self._lock:
            first = self._down_since is None
            if self._down_since is None:
                self._down_since = utcnow()
            down_since = self._down_since
            self._last_error = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
        if first:
            logger.error(
                "database unreachable since %s: %s", down_since.isoformat(timespec="seconds"), self._last_error
            )

    def up(self) -> None:
        with self._lock:
            since, self._down_since, self._last_error = self._down_since, None, None
        if since is not None:
            logger.warning(
                "database reachable again (it was unreachable since %s)", since.isoformat(timespec="seconds")
            )

    def state(self) -> State:
        with self._lock:
            return State(self._down_since is None, self._down_since, self._last_error)


_tracker = _Tracker()
mark_down = _tracker.down
mark_up = _tracker.up
state = _tracker.state
