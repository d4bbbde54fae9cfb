"""Rasa's templated responses, rendered for the reader.

Registered in endpoints.yml (nlg: type: bot.text.nlg.HotlineNLG). On top of Rasa's own
selection of a response variation (by the `language` slot), it
- renders Bosnian/Croatian/Serbian text in Cyrillic for a reader who writes Cyrillic
  (replies are authored once, in Latin), before variables are filled so that case codes
  and numbers stay as they are;
- fills {police}, {ambulance}, {child_helpline}, ... from data/hotline/contacts.yml, as the
  text catalogue gives them to this reader;
- never sends the same long message twice in a row: a response `utter_x` that has a
  `utter_x_reminder` sends the reminder (one line, with the numbers) when the full one
  went out in this conversation in the last 10 minutes; and a response with several
  wordings for the reader never repeats the wording it used last, so that a person who
  writes the same thing again and again is not answered with the same message each time.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.text.catalogue import Reader, numbers_for
from bot.text.scripts import to_cyrillic


def render_response(response: dict[str, Any], language: str | None, script: str | None) -> dict[str, Any]:
    """Cyrillic rendering of a response's text and button titles, where it applies."""
    if language == "en" or script != "cyrillic":
        return response
    rendered = copy.deepcopy(response)
    if rendered.get("text"):
        rendered["text"] = to_cyrillic(rendered["text"])
    for button in rendered.get("buttons") or []:
        button["title"] = to_cyrillic(button["title"])
    return rendered


REMINDER_SUFFIX = "_reminder"
REMINDER_WINDOW_SECONDS = 10 * 60
REMINDER_OF = "reminder_of"  # kept in the bot event's metadata


def _recent_sends(
    tracker: DialogueStateTracker, utter_action: str, now: float, window: float = REMINDER_WINDOW_SECONDS
) -> list[BotUttered]:
    """The messages this response produced in the conversation within the window, the
    latest first."""
    sent = []
    for event in reversed(tracker.events):
        if event.timestamp < now - window:
            break
        if isinstance(event, BotUttered) and (event.metadata or {}).get("utter_action") == utter_action:
            sent.append(event)
    return sent


def sent_in_full_recently(
    tracker: DialogueStateTracker, utter_action: str, now: float, window: float = REMINDER_WINDOW_SECONDS
) -> bool:
    """Whether the full text of a response went out in this conversation within the window."""
    return any(not (e.metadata or {}).get(REMINDER_OF) for e in _recent_sends(tracker, utter_action, now, window))


class HotlineNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        now = time.time()
        recent = _recent_sends(tracker, utter_action, now)
        # A response with several wordings never says the same thing twice running.
        avoid = recent[0].text if recent else None
        slots = tracker.current_slot_values()
        reminder = utter_action + REMINDER_SUFFIX
        if reminder in self.responses and sent_in_full_recently(tracker, utter_action, now):
            response = self.generate_from_slots(reminder, slots, output_channel, avoid_text=avoid, **kwargs)
            if response is not None:
                response[REMINDER_OF] = utter_action
                return response
        return self.generate_from_slots(utter_action, slots, output_channel, avoid_text=avoid, **kwargs)

    def generate_from_slots(
        self,
        utter_action: str,
        filled_slots: dict[str, Any],
        output_channel: str,
        avoid_text: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        if utter_action not in self.responses:
            return None
        candidates = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots
        )
        if not candidates:
            return None
        # In the file's order: the first wording first, the next one on a repeat.
        rendered = [self._render(c, filled_slots, **kwargs) for c in candidates]
        return next((r for r in rendered if r.get("text") != avoid_text), rendered[0])

    def _render(self, response: dict[str, Any], filled_slots: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        language, script = filled_slots.get("language"), filled_slots.get("script")
        response = render_response(copy.deepcopy(response), language, script)
        variables = {**numbers_for(Reader.of(language, script)), **kwargs}
        return self._fill_response(response, filled_slots, **variables)
