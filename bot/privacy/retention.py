"""Conversation history is kept only as long as needed: `hotline purge` deletes whole
conversations whose last message is older than the retention period. Cases keep what
staff need; they do not depend on the conversation history."""

from __future__ import annotations

import time

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

EVENTS_TABLE = "events"  # Rasa's SQLTrackerStore table


def purge_conversations(engine: Engine, older_than_days: int, now: float | None = None) -> int:
    """Delete conversations idle for longer than the period; returns how many."""
    if not inspect(engine).has_table(EVENTS_TABLE):
        return 0
    cutoff = (now or time.time()) - older_than_days * 86400
    with engine.begin() as connection:
        stale = [
            row[0]
            for row in connection.execute(
                text(f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                {"cutoff": cutoff},
            )
        ]
        for sender_id in stale:
            connection.execute(
                text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id = :sender"),
                {"sender": sender_id},
            )
    return len(stale)
