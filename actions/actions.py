"""Custom actions: they adapt Rasa to the `bot` package and hold no business logic.

Database work and PIN hashing run in a worker thread so that one slow turn does not hold
up every other conversation on the action server."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import cases, contacts, intake, resources
from bot.codes import normalize_case_code, normalize_pin
from bot.deadlines import format_local
from bot.followup_texts import reporter_text
from bot.directory import match_place, municipality_names
from bot.language_switch import requested_language
from bot.storage.db import in_session as _in_db
from bot.text.scripts import render

logger = logging.getLogger(__name__)

CHOICE_SLOTS = (
    "incident_type", "discrimination_ground", "affected", "reporter_role",
    "incident_time", "danger_now", "contact_ok", "legal_aid_ok", "confirm",
)
REPORT_SLOTS = CHOICE_SLOTS + ("school", "school_id", "municipality_id", "description", "crisis_case_id")
CHECK_SLOTS = ("case_code", "case_pin")
SHORT_TEXT_CHANNELS = ("sms", "twilio")


def _reader(tracker: Tracker) -> tuple[Optional[str], Optional[str]]:
    return tracker.get_slot("language"), tracker.get_slot("script")


def _say(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, **extra: Any) -> None:
    """Send text we composed here (not a domain response) in the reader's script."""
    language, script = _reader(tracker)
    dispatcher.utter_message(text=text if language == "en" else render(text, script), **extra)


def _reset(slots: tuple[str, ...]) -> List[EventType]:
    return [SlotSet(slot, None) for slot in slots]


def _make_ask_action(slot: str) -> type:
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language, script = _reader(tracker)
        dispatcher.utter_message(response=f"utter_ask_{slot}",
                                 buttons=intake.buttons(slot, language, script))
        return []

    return type(f"AskFor_{slot}", (Action,), {"name": lambda self: f"action_ask_{slot}", "run": run})


ASK_ACTIONS = [_make_ask_action(slot) for slot in CHOICE_SLOTS]


class AskForSchool(Action):
    def name(self) -> Text:
        return "action_ask_school"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language, script = _reader(tracker)
        names = await _in_db(municipality_names)
        buttons = [{"title": n, "payload": f'/choose{{"choice": "{n}"}}'} for n in names]
        skip = intake.buttons("incident_time", language, script)[-1]  # the shared "skip"
        dispatcher.utter_message(response="utter_ask_school", buttons=buttons + [skip])
        return []


# A question asked in the middle of the form is answered, then the form asks again.
_ASIDE_REPLIES = {"ask_privacy": "utter_privacy", "help_menu": "utter_form_help",
                  "bot_challenge": "utter_bot_challenge"}


def _not_an_answer_reply(tracker: Tracker) -> str:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return _ASIDE_REPLIES.get(intent, "utter_choose_option")


# Discrimination grounds for which mobile legal aid may look at the case, with consent.
LEGAL_AID_GROUNDS = ("ethnicity", "religion", "displaced", "roma")


class ValidateReportForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_report_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        skipped = set()
        if tracker.get_slot("incident_type") != "discrimination":
            skipped.add("discrimination_ground")
        if (tracker.get_slot("incident_type") != "discrimination"
                or tracker.get_slot("discrimination_ground") not in LEGAL_AID_GROUNDS):
            skipped.add("legal_aid_ok")
        return [s for s in domain_slots if s not in skipped]

    def _choice(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                tracker: Tracker) -> Dict[Text, Any]:
        chosen = intake.interpret(slot, str(value or ""))
        if chosen is None:
            dispatcher.utter_message(response=_not_an_answer_reply(tracker))
        return {slot: chosen}

    async def validate_danger_now(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        result = self._choice("danger_now", value, dispatcher, tracker)
        if result["danger_now"] == "yes":
            dispatcher.utter_message(response="utter_danger_now_yes")
        return result

    async def validate_school(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        typed = intake.payload_choice(str(value or "")) or str(value or "")
        if intake.interpret("incident_time", typed) == intake.SKIP:
            return {"school": intake.SKIP, "school_id": None, "municipality_id": None}
        place = await _in_db(match_place, typed)
        if place is None:
            dispatcher.utter_message(response="utter_school_not_found")
            return {"school": None}
        return {"school": place.label, "school_id": place.school_id,
                "municipality_id": place.municipality_id}

    async def validate_description(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if len(text) < intake.MIN_DESCRIPTION or intake.payload_choice(text):
            dispatcher.utter_message(response="utter_description_too_short")
            return {"description": None}
        return {"description": text[: intake.MAX_DESCRIPTION]}


def _choice_validator(slot: str):  # type: ignore[no-untyped-def]
    async def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        return self._choice(slot, value, dispatcher, tracker)

    return validate


# rasa_sdk looks up `validate_<slot>` by name; the plain choice questions share one.
for _slot in ("incident_type", "discrimination_ground", "affected", "reporter_role",
              "incident_time", "contact_ok", "legal_aid_ok", "confirm"):
    setattr(ValidateReportForm, f"validate_{_slot}", _choice_validator(_slot))


class ValidateCheckCaseForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_check_case_form"

    @staticmethod
    def _typed(slot: str, value: Optional[str], format_reply: str,
               dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        if value is None:
            aside = _not_an_answer_reply(tracker)
            dispatcher.utter_message(response=aside if aside != "utter_choose_option" else format_reply)
        return {slot: value}

    async def validate_case_code(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._typed("case_code", normalize_case_code(str(value or "")),
                           "utter_case_code_format", dispatcher, tracker)

    async def validate_case_pin(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._typed("case_pin", normalize_pin(str(value or "")),
                           "utter_case_pin_format", dispatcher, tracker)


def _report_from(tracker: Tracker) -> Dict[str, Any]:
    report = intake.report_from_slots(
        {slot: tracker.get_slot(slot) for slot in REPORT_SLOTS + ("language", "script")},
        channel=tracker.get_latest_input_channel(),
    )
    # Consent to mobile legal aid: True or False when it was asked, None when it was not.
    report["legal_aid_ok"] = {"yes": True, "no": False}.get(tracker.get_slot("legal_aid_ok"))
    return report


class SubmitReport(Action):
    def name(self) -> Text:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("confirm") != "send":
            dispatcher.utter_message(response="utter_report_cancelled")
            return _reset(REPORT_SLOTS)
        issued = await _in_db(cases.submit_report, _report_from(tracker),
                              tracker.get_slot("crisis_case_id"), tracker.sender_id)
        dispatcher.utter_message(response="utter_report_submitted", code=issued.code, pin=issued.pin,
                                 deadline=_deadline_for_reader(issued.deadline, tracker))
        return _reset(REPORT_SLOTS)


def _deadline_for_reader(deadline: Optional[datetime], tracker: Tracker) -> str:
    """When someone will have looked at the report, in the reader's language and script."""
    language, script = _reader(tracker)
    if deadline is None:
        return "-"
    text = format_local(deadline, language or "bcs")
    return text if language == "en" else render(text, script)


class CancelForm(Action):
    def name(self) -> Text:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_report_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + _reset(REPORT_SLOTS + CHECK_SLOTS)


class RecordCrisis(Action):
    """The emergency numbers were already sent by a domain response (no action server
    needed for them); this records a critical case with whatever is known."""

    def name(self) -> Text:
        return "action_record_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = intent if intent in ("self_harm", "urgent_danger") else "urgent_danger"
        message = tracker.latest_message.get("text") or ""
        existing = tracker.get_slot("crisis_case_id")
        if existing:
            await _in_db(cases.add_crisis_message, existing, kind, message)
            return []
        case_id = await _in_db(cases.record_crisis, kind, _report_from(tracker), message)
        return [SlotSet("crisis_case_id", case_id)]


class CheckCase(Action):
    def name(self) -> Text:
        return "action_check_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        def check(session) -> tuple[str, Optional[str], Optional[str], Optional[str], tuple[str, ...]]:  # type: ignore[no-untyped-def]
            result = cases.check_case(session, tracker.sender_id,
                                      tracker.get_slot("case_code") or "",
                                      tracker.get_slot("case_pin") or "")
            code = result.case.code if result.case else None
            status = result.case.status if result.case else None
            return result.outcome, code, status, result.latest_update, result.staff_messages

        outcome, code, status, update, messages = await _in_db(check)
        if outcome == "locked":
            dispatcher.utter_message(response="utter_case_locked")
        elif outcome == "invalid":
            dispatcher.utter_message(response="utter_case_invalid")
        else:
            dispatcher.utter_message(response=f"utter_case_status_{cases.reporter_status(status)}", code=code)
            if update:
                dispatcher.utter_message(response="utter_case_latest_update", update=update)
            elif not messages:
                dispatcher.utter_message(response="utter_case_no_update")
            if messages:
                _show_staff_messages(dispatcher, tracker, code or "", messages)
        return _reset(CHECK_SLOTS)


def _show_staff_messages(dispatcher: CollectingDispatcher, tracker: Tracker, code: str,
                         messages: tuple[str, ...]) -> None:
    language, script = _reader(tracker)
    dispatcher.utter_message(text=reporter_text("checkin_messages", language, script,
                                                code=code, count=len(messages)))
    for message in messages:
        dispatcher.utter_message(text=message)
    dispatcher.utter_message(text=reporter_text("reply_hint", language, script))


class Resources(Action):
    def name(self) -> Text:
        return "action_resources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language, script = _reader(tracker)
        language = language or "bcs"
        topic_id = next(tracker.get_latest_entity_values("topic"), None)
        text = tracker.latest_message.get("text") or ""
        topic = resources.find_topic(topic_id) if topic_id else resources.best_topic(text)
        if topic is None:
            buttons = [
                {"title": t.title[language] if language == "en" else render(t.title[language], script),
                 "payload": f'/ask_resources{{"topic": "{t.id}"}}'}
                for t in resources.load_library()
            ]
            dispatcher.utter_message(response="utter_resources_menu", buttons=buttons)
            return []
        form = "short" if tracker.get_latest_input_channel() in SHORT_TEXT_CHANNELS else "long"
        _say(dispatcher, tracker, f"{topic.title[language]}\n\n{topic.text(form, language)}")
        dispatcher.utter_message(response="utter_resources_more")
        return []


class TalkToPerson(Action):
    def name(self) -> Text:
        return "action_talk_to_person"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_talk_to_person")
        lines = [f"• {s['name']}: {s['how']}" for s in contacts.services(tracker.get_slot("language"))]
        _say(dispatcher, tracker, "\n".join(lines))
        dispatcher.utter_message(response="utter_talk_to_person_report")
        return []


class SwitchLanguage(Action):
    def name(self) -> Text:
        return "action_switch_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language, script = requested_language(
            tracker.latest_message.get("text") or "", *_reader(tracker)
        )
        return [SlotSet("language", language), SlotSet("script", script)]
