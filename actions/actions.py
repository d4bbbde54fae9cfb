"""Custom actions outside the report and the case check (actions/report_form.py,
actions/check_case.py): recording a crisis, the resource library, talking to a person,
switching language and cancelling. They adapt Rasa to the `bot` package and hold no
business logic."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.shared import (
    CHECK_SLOTS,
    REPORT_SLOTS,
    heard,
    reader,
    record_crisis,
    reset,
    say,
    text_size,
)
from bot.intake.dialogue import keep_crisis_words
from bot.text import emergency_numbers, resources
from bot.text.language_switch import requested_language

logger = logging.getLogger(__name__)


class CancelForm(Action):
    def name(self) -> str:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_report_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + reset(REPORT_SLOTS + CHECK_SLOTS)


class RecordCrisis(Action):
    """The emergency numbers were already sent by a domain response (no action server
    needed for them); this records a critical case with whatever is known, and keeps the
    words for a report that may follow."""

    def name(self) -> str:
        return "action_record_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        message = heard(tracker)
        events = await record_crisis(tracker, message.intent or "", dict(tracker.slots), message.text)
        return events + [SlotSet("story", keep_crisis_words(tracker.get_slot("story"), message))]


class Resources(Action):
    def name(self) -> str:
        return "action_resources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        you = reader(tracker)
        language = you.language or "bcs"
        topic_id = next(tracker.get_latest_entity_values("topic"), None)
        text = tracker.latest_message.get("text") or ""
        topic = resources.find_topic(topic_id) if topic_id else resources.best_topic(text)
        if topic is None:
            buttons = [
                {"title": you.in_script(t.title[language]), "payload": f'/ask_resources{{"topic": "{t.id}"}}'}
                for t in resources.load_library()
            ]
            dispatcher.utter_message(response="utter_resources_menu", buttons=buttons)
            return []
        say(dispatcher, tracker, f"{topic.title[language]}\n\n{topic.text(text_size(tracker), language)}")
        dispatcher.utter_message(response="utter_resources_more")
        return []


class TalkToPerson(Action):
    def name(self) -> str:
        return "action_talk_to_person"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_talk_to_person")
        lines = [f"• {s['name']}: {s['how']}" for s in emergency_numbers.services(tracker.get_slot("language"))]
        say(dispatcher, tracker, "\n".join(lines))
        dispatcher.utter_message(response="utter_talk_to_person_report")
        return []


class SwitchLanguage(Action):
    def name(self) -> str:
        return "action_switch_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language, script = requested_language(
            tracker.latest_message.get("text") or "", tracker.get_slot("language"), tracker.get_slot("script")
        )
        return [SlotSet("language", language), SlotSet("script", script)]
