"""What a message gets while the database is unreachable: a crisis the full emergency
reply at once (the same texts as the assistant's, utter_crisis_* in domain.yml), anything
else one short "we have your message" (data/hotline/texts/fallback.yml: journaled). Both in the writer's
language and script, both languages when the message does not say; nothing here needs
the database."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

import yaml

from bot.nlu.components import CRISIS_INTENTS
from bot.nlu.safety_net import default_safety_net
from bot.paths import PROJECT_DIR
from bot.text.catalogue import Reader, for_reader, for_writer

logger = logging.getLogger(__name__)

RECEIVED = "received"
NLU_WAIT_SECONDS = 1.0
_RESPONSES = {"urgent_danger": "utter_crisis_danger", "self_harm": "utter_crisis_self_harm"}


@lru_cache(maxsize=1)
def _domain_responses() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))["responses"]


def _variant(response: str, language: str) -> str:
    """The response's first text for a language: English has the condition, BCS none."""
    for variant in _domain_responses()[response]:
        is_english = any(c.get("value") == "en" for c in variant.get("condition") or [])
        if is_english == (language == "en"):
            return variant["text"]
    raise KeyError(f"{response} has no {language} text in domain.yml")


def crisis_reply(kind: str, user_text: str) -> str:
    response = _RESPONSES[kind]
    return for_reader({language: _variant(response, language) for language in ("bcs", "en")}, Reader.of_text(user_text))


def received_reply(user_text: str) -> str:
    return for_writer("fallback", "journaled", user_text)


async def crisis_in(text: str, agent: Any | None) -> str | None:
    """urgent_danger or self_harm when the safety net or the model sees a crisis, else
    None. The model is asked only when it answers within NLU_WAIT_SECONDS."""
    match = default_safety_net().check(text)
    if match is not None:
        return match.kind
    if agent is None or not text.strip():
        return None
    try:
        parsed = await asyncio.wait_for(agent.parse_message(text), NLU_WAIT_SECONDS)
    except Exception as error:  # the net above has already looked; log and go on
        logger.warning("NLU not available for an outage message: %s", type(error).__name__)
        return None
    intent = (parsed.get("intent") or {}).get("name")
    return intent if intent in CRISIS_INTENTS else None


def reply_for(kind: str | None, text: str) -> str:
    return crisis_reply(kind, text) if kind else received_reply(text)
