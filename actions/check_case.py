"""Checking a report with its code and PIN. Code and PIN may come in one message, with
words around them, or in two; asking to report, the menu or another flow leaves the check;
a crisis is answered at once."""

from __future__ import annotations

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.shared import CHECK_SLOTS, heard, message_key, reader, record_crisis, reset
from bot.cases import check_in
from bot.cases.codes import find_code_and_pin, normalize_case_code, normalize_pin
from bot.followup.texts import reporter_text
from bot.intake import patterns
from bot.intake.dialogue import ASIDE_REPLIES, MISSES_BEFORE_MOVING_ON
from bot.storage.db import in_session as in_db

REQUESTED_SLOT = "requested_slot"
# Intents that leave the check for another flow (data/rules.yml says where to).
LEAVING_INTENTS = frozenset({"report_incident", "help_menu", "ask_resources", "talk_to_person", "cancel"})
FORMAT_REPLIES = {"case_code": "utter_case_code_format", "case_pin": "utter_case_pin_format"}


def _could_be_a_code(text: str) -> bool:
    """A code typed alone, perhaps without "JS": one word, or with digits ("ne sjecam" is
    two words that happen to have eight letters, not a wrong code)."""
    return any(ch.isdigit() for ch in text) or len(text.split()) == 1


def _next(code: str | None, pin: str | None) -> str | None:
    return "case_code" if code is None else "case_pin" if pin is None else None


class ValidateCheckCaseForm(FormValidationAction):
    def name(self) -> str:
        return "validate_check_case_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code, pin = tracker.get_slot("case_code"), tracker.get_slot("case_pin")
        key = message_key(tracker)
        if key is not None and tracker.get_slot("handled_message") == key:
            return [SlotSet(REQUESTED_SLOT, _next(code, pin))]
        events: list[EventType] = [SlotSet("handled_message", key)]  # unless it leaves
        message = heard(tracker)
        asked = tracker.get_slot(REQUESTED_SLOT)
        found_code, found_pin = find_code_and_pin(message.text)
        if asked == "case_code" and found_code is None and _could_be_a_code(message.text):
            found_code = normalize_case_code(message.text)
        if asked == "case_pin" and found_pin is None:
            found_pin = normalize_pin(message.text)
        if message.crisis and not (found_code or found_pin):
            dispatcher.utter_message(
                response="utter_crisis_self_harm" if message.crisis == "self_harm" else "utter_crisis_danger"
            )
            events += await record_crisis(tracker, message.crisis, dict(tracker.slots), message.text)
            return events + [SlotSet(REQUESTED_SLOT, _next(code, pin))]
        code, pin = found_code or code, found_pin or pin
        if found_code or found_pin:
            return events + [
                SlotSet("case_code", code),
                SlotSet("case_pin", pin),
                SlotSet(REQUESTED_SLOT, _next(code, pin)),
            ]
        if asked is None:  # "check my report" with nothing else: ask for the code
            return events + [SlotSet(REQUESTED_SLOT, _next(code, pin))]
        if (message.command or message.intent) in LEAVING_INTENTS or patterns.says("cancel", message.text):
            # Not handled here: the flow it leaves for reads the same message.
            return [ActionExecutionRejected(self.form_name())]
        aside = ASIDE_REPLIES.get(message.intent or "")
        if aside:
            dispatcher.utter_message(response=aside)
            return events + [SlotSet(REQUESTED_SLOT, _next(code, pin))]
        return events + self._missed(dispatcher, tracker, asked)

    @staticmethod
    def _missed(dispatcher: CollectingDispatcher, tracker: Tracker, asked: str) -> list[EventType]:
        misses = (tracker.get_slot("check_misses") or 0) + 1
        if misses < MISSES_BEFORE_MOVING_ON:
            dispatcher.utter_message(response=FORMAT_REPLIES.get(asked, "utter_case_code_format"))
            return [SlotSet("check_misses", misses), SlotSet(REQUESTED_SLOT, asked)]
        # Not a code twice: end the check (no failed attempt is counted) and offer the menu.
        dispatcher.utter_message(response="utter_case_check_given_up")
        return [
            SlotSet("check_misses", None),
            SlotSet("case_code", None),
            SlotSet("case_pin", None),
            SlotSet(REQUESTED_SLOT, None),
        ]


class CheckCase(Action):
    def name(self) -> str:
        return "action_check_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        typed_code, typed_pin = tracker.get_slot("case_code"), tracker.get_slot("case_pin")
        if not typed_code or not typed_pin:
            dispatcher.utter_message(response="utter_help_menu")  # the check was given up
            return reset(CHECK_SLOTS)

        def check(session: Session) -> tuple[str, str | None, str | None, str | None, tuple[str, ...]]:
            result = check_in.check_case(session, tracker.sender_id, typed_code, typed_pin)
            code = result.case.code if result.case else None
            status = result.case.status if result.case else None
            return result.outcome, code, status, result.latest_update, result.staff_messages

        outcome, code, status, update, messages = await in_db(check)
        if outcome == "locked":
            dispatcher.utter_message(response="utter_case_locked")
        elif outcome == "invalid":
            dispatcher.utter_message(response="utter_case_invalid")
        else:
            dispatcher.utter_message(response=f"utter_case_status_{check_in.reporter_status(status)}", code=code)
            if update:
                dispatcher.utter_message(response="utter_case_latest_update", update=update)
            elif not messages:
                dispatcher.utter_message(response="utter_case_no_update")
            if messages:
                _show_staff_messages(dispatcher, tracker, code or "", messages)
        return reset(CHECK_SLOTS)


def _show_staff_messages(
    dispatcher: CollectingDispatcher, tracker: Tracker, code: str, messages: tuple[str, ...]
) -> None:
    you = reader(tracker)
    language, script = you.language, you.script
    dispatcher.utter_message(text=reporter_text("checkin_messages", language, script, code=code, count=len(messages)))
    for message in messages:
        dispatcher.utter_message(text=message)
    dispatcher.utter_message(text=reporter_text("reply_hint", language, script))
