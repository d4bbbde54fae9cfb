"""The summary a reporter reads before sending: what was understood, in their language
and script, and the start of their own words (never transliterated)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.intake.choices import SKIP, summary_label, title_of
from bot.text.scripts import render

SUMMARY_FIELDS = ("incident_type", "affected", "reporter_role", "school", "incident_time", "danger_now")
# The start of the description shown: enough to recognise it, short enough for one SMS.
EXCERPT_CHARS = {"short": 60, "long": 160}


def _shown(slot: str, value: Any, slots: Mapping[str, Any], language: str | None) -> str | None:
    if value in (None, SKIP):
        return None
    if slot == "school":
        return str(value)  # a school's or town's own name
    title = title_of(slot, str(value), language)
    if slot == "incident_type" and value == "discrimination":
        ground = slots.get("discrimination_ground")
        ground_title = title_of("discrimination_ground", str(ground), language) if ground not in (None, SKIP) else None
        return f"{title} ({ground_title.lower()})" if ground_title else title
    return title if title is not None else str(value)[:60]  # a time typed in words


def excerpt(text: str, size: str) -> str:
    limit = EXCERPT_CHARS[size]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def summary(slots: Mapping[str, Any], language: str | None, script: str | None, size: str = "long") -> str:
    """One line per known answer, then the start of the description."""
    lines = []
    for slot in SUMMARY_FIELDS:
        shown = _shown(slot, slots.get(slot), slots, language)
        if shown is not None:
            line = f"• {summary_label(slot, language)}: {shown}"
            lines.append(line if language == "en" else render(line, script))
    description = slots.get("description")
    if description not in (None, SKIP):
        label = summary_label("description", language)
        label = label if language == "en" else render(label, script)
        lines.append(f'• {label}: "{excerpt(str(description), size)}"')
    return "\n".join(lines)
