"""Rasa's templated responses, rendered for the reader.

Registered in endpoints.yml (nlg: type: bot.nlg.HotlineNLG). On top of Rasa's own
selection of a response variation (by the `language` slot), it
- renders Bosnian/Croatian/Serbian text in Cyrillic for a reader who writes Cyrillic
  (replies are authored once, in Latin), before variables are filled so that case codes
  and numbers stay as they are;
- fills {police}, {ambulance}, {child_helpline}, ... from data/hotline/contacts.yml.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot import contacts
from bot.text.scripts import to_cyrillic


def render_response(response: Dict[Text, Any], language: Optional[str], script: Optional[str]) -> Dict[Text, Any]:
    """Cyrillic rendering of a response's text and button titles, where it applies."""
    if language == "en" or script != "cyrillic":
        return response
    rendered = copy.deepcopy(response)
    if rendered.get("text"):
        rendered["text"] = to_cyrillic(rendered["text"])
    for button in rendered.get("buttons") or []:
        button["title"] = to_cyrillic(button["title"])
    return rendered


class HotlineNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None,
                 domain: Optional[Domain] = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    def generate_from_slots(
        self,
        utter_action: Text,
        filled_slots: Dict[Text, Any],
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        response = self._random_response_for(utter_action, output_channel, filled_slots)
        if response is None:
            return None
        language, script = filled_slots.get("language"), filled_slots.get("script")
        response = render_response(copy.deepcopy(response), language, script)
        numbers = {
            key: to_cyrillic(value) if script == "cyrillic" and language != "en" else value
            for key, value in contacts.placeholders(language).items()
        }
        variables = {**numbers, **kwargs}
        return self._fill_response(response, filled_slots, **variables)
