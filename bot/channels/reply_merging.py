"""Combining a turn's replies into one message per channel send.

A turn often answers with two or three replies (a sentence, then a question with buttons).
Sent as one message, the person's phone buzzes once (a notification on a shared family
phone says less), an SMS reply costs no more segments than the parts would, and the channel
makes one API call instead of three."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Reply = dict[str, Any]
_PLAIN_KEYS = {"recipient_id", "text", "buttons"}


def combinable(replies: list[Reply]) -> bool:
    """Only text, and buttons on the last reply alone (so option numbers stay right)."""
    if len(replies) < 2 or any(set(r) - _PLAIN_KEYS for r in replies):
        return False
    return not any(r.get("buttons") for r in replies[:-1])


def combine(replies: list[Reply]) -> Reply:
    texts = [r["text"].strip() for r in replies if (r.get("text") or "").strip()]
    combined: Reply = {"text": "\n\n".join(texts)}
    if replies[-1].get("buttons"):
        combined["buttons"] = replies[-1]["buttons"]
    if "recipient_id" in replies[0]:
        combined["recipient_id"] = replies[0]["recipient_id"]
    return combined


def pack(replies: list[Reply], fits: Callable[[Reply], bool]) -> list[Reply]:
    """One combined reply when the channel says it fits, else the replies as they are."""
    if not combinable(replies):
        return replies
    combined = combine(replies)
    return [combined] if fits(combined) else replies
