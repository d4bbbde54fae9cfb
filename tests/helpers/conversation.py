"""Plays a report conversation through bot.intake.dialogue the way the form adapter does,
without Rasa, so that the decisions can be tested message by message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.intake import dialogue
from bot.intake.dialogue import Heard
from bot.intake.extraction import KnownPlace

PLACES = [
    KnownPlace(1, "Livno", 11, "OŠ Uzorak 1 Livno"),
    KnownPlace(1, "Livno", 12, "OŠ Uzorak 2 Livno"),
    KnownPlace(2, "Tomislavgrad", 21, "OŠ Uzorak 1 Tomislavgrad"),
    KnownPlace(1, "Livno"),
    KnownPlace(2, "Tomislavgrad"),
    KnownPlace(3, "Kupres"),
    KnownPlace(4, "Glamoč"),
    KnownPlace(5, "Drvar"),
    KnownPlace(6, "Bosansko Grahovo"),
]
GROUNDS = frozenset({"ethnicity", "religion", "displaced", "roma"})


@dataclass
class Conversation:
    slots: dict[str, Any] = field(default_factory=dict)
    now: float = 1_000_000.0
    asked: list[str | None] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    crises: list[str] = field(default_factory=list)
    left: bool = False

    def say(
        self,
        text: str,
        intent: str | None = "inform",
        crisis: str | None = None,
        lexicon: bool = False,
        incident_type: str | None = None,
        command: str | None = None,
    ) -> str | None:
        """One message; returns the question asked next (None: sent or cancelled)."""
        heard = Heard(text, intent, crisis, lexicon, incident_type, command)
        step = dialogue.on_message(self.slots, heard, PLACES, None, self.now, GROUNDS)
        self.slots.update(step.updates)
        self.replies += [name for name, _ in step.replies]
        if step.crisis:
            self.crises.append(step.crisis)
        self.left = step.leave
        if step.leave:
            return self.slots.get("requested_slot")
        self.slots["requested_slot"] = dialogue.next_question(self.slots, GROUNDS)
        self.asked.append(self.slots["requested_slot"])
        return self.slots["requested_slot"]
