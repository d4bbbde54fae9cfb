"""Trackers and look-ups shared by the action tests: rasa_sdk's own Tracker, as the action
server receives it, on a real (SQLite) database."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from sqlalchemy import select

from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case


def tracker(
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "greet",
    entities: list | None = None,
    channel: str = "rest",
    sender: str = "test-user",
    extra: dict[str, Any] | None = None,
    timestamp: float = 1.0,
) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots={"language": "bcs", "script": "latin", **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
            **(extra or {}),
        },
        events=[{"event": "user", "text": text, "input_channel": channel, "timestamp": timestamp}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def slots_set(events) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def cases(url: str) -> list[Case]:
    with session_scope(engine_for(url)) as session:
        return session.scalars(select(Case)).all()
