"""The report form: Rasa asks the question that bot.intake.dialogue chooses, and these
actions adapt the one to the other. No decision is taken here."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.shared import (
    CHECK_SLOTS,
    CRISIS_CASE_LIFETIME,
    REPORT_SLOTS,
    heard,
    message_key,
    places_for,
    reader,
    record_crisis,
    reset,
    text_size,
    utter_all,
)
from bot import intake
from bot.cases import submission as cases
from bot.directory.places import municipality_names
from bot.intake import dialogue
from bot.intake.extraction import is_story
from bot.intake.summary import summary
from bot.routing.deadlines import format_local
from bot.routing.triage import consent_grounds
from bot.storage.db import in_session as in_db

REQUESTED_SLOT = "requested_slot"


def _slots(tracker: Tracker) -> dict[str, Any]:
    return dict(tracker.slots)


class ValidateReportForm(FormValidationAction):
    """Every message of the report goes through bot.intake.dialogue.on_message."""

    def name(self) -> str:
        return "validate_report_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        slots = _slots(tracker)
        grounds = consent_grounds()
        key = message_key(tracker)
        if key is not None and slots.get("handled_message") == key:
            # The form resumed after a rule answered this message: only ask what is next.
            return [SlotSet(REQUESTED_SLOT, dialogue.next_question(slots, grounds))]
        message = heard(tracker)
        typed = intake.payload_choice(message.text) or message.text if slots.get(REQUESTED_SLOT) == "school" else None
        places, typed_place = await places_for(typed)
        step = dialogue.on_message(slots, message, places, typed_place, time.time(), grounds)
        merged = {**slots, **step.updates}
        events: list[EventType] = [SlotSet(k, v) for k, v in step.updates.items()]
        utter_all(dispatcher, step.replies)
        if step.crisis:
            events += await record_crisis(tracker, step.crisis, merged, message.text)
        if step.leave:  # not handled here: the flow it leaves for reads the same message
            return events + [ActionExecutionRejected(self.form_name())]
        return events + [
            SlotSet("handled_message", key),
            SlotSet(REQUESTED_SLOT, dialogue.next_question(merged, grounds)),
        ]


def _make_ask_action(slot: str) -> type:
    async def run(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        you = reader(tracker)
        language, script = you.language, you.script
        dispatcher.utter_message(response=f"utter_ask_{slot}", buttons=intake.buttons(slot, language, script))
        return []

    return type(f"AskFor_{slot}", (Action,), {"name": lambda self: f"action_ask_{slot}", "run": run})


CHOICE_QUESTIONS = (
    "incident_type",
    "discrimination_ground",
    "affected",
    "reporter_role",
    "incident_time",
    "danger_now",
    "contact_ok",
    "legal_aid_ok",
    "change_field",
    "resume_draft",
    "discard_confirm",
)
ASK_ACTIONS = [_make_ask_action(slot) for slot in CHOICE_QUESTIONS]


class AskForSchool(Action):
    def name(self) -> str:
        return "action_ask_school"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        you = reader(tracker)
        language, script = you.language, you.script
        names = await in_db(municipality_names)
        buttons = [{"title": n, "payload": f'/choose{{"choice": "{n}"}}'} for n in names]
        skip = intake.buttons("incident_time", language, script)[-1]  # the shared "skip"
        dispatcher.utter_message(response="utter_ask_school", buttons=buttons + [skip])
        return []


class AskForConfirm(Action):
    """The summary of what was understood, with "Send" and "Change something". After an
    answer that was not understood, a shorter form, so nothing is said three times."""

    def name(self) -> str:
        return "action_ask_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        you = reader(tracker)
        language, script = you.language, you.script
        buttons = intake.buttons("confirm", language, script)
        missed = (tracker.get_slot("misses") or {}).get("confirm", 0)
        if missed:
            dispatcher.utter_message(response="utter_ask_confirm_short", buttons=buttons)
            return []
        dispatcher.utter_message(
            response="utter_ask_confirm",
            buttons=buttons,
            summary=summary(_slots(tracker), language, script, text_size(tracker)),
        )
        return []


class SubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("confirm") == dialogue.KEEP_AS_DRAFT:
            dispatcher.utter_message(response="utter_draft_kept")  # kept, not sent
            return [SlotSet("confirm", None), SlotSet("misses", None), SlotSet("draft_saved_at", time.time())]
        if tracker.get_slot("confirm") != dialogue.SEND:
            dispatcher.utter_message(response="utter_report_cancelled")
            return reset(REPORT_SLOTS)
        slots = _slots(tracker)
        issued = await in_db(
            cases.submit_report,
            intake.report_from_slots(slots, tracker.get_latest_input_channel()),
            slots.get("crisis_case_id"),
            tracker.sender_id,
        )
        dispatcher.utter_message(
            response="utter_report_submitted",
            code=issued.code,
            pin=issued.pin,
            deadline=_deadline_for_reader(issued.deadline, tracker),
        )
        return reset(REPORT_SLOTS)


def _deadline_for_reader(deadline: datetime | None, tracker: Tracker) -> str:
    """When someone will have looked at the report, in the reader's language and script."""
    if deadline is None:
        return "-"
    you = reader(tracker)
    return you.in_script(format_local(deadline, you.language or "bcs"))


class LeaveForm(Action):
    """Leaves the report or the case check for the menu or another flow. An unfinished
    report stays as a draft for 24 hours."""

    def name(self) -> str:
        return "action_leave_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [
            ActiveLoop(None),
            SlotSet(REQUESTED_SLOT, None),
            SlotSet("handled_message", None),
        ] + reset(CHECK_SLOTS)
        if tracker.active_loop_name == "report_form" and dialogue.has_draft(_slots(tracker), time.time()):
            dispatcher.utter_message(response="utter_draft_kept")
            events.append(SlotSet("draft_saved_at", time.time()))
        return events


class NoteTurn(Action):
    """Runs on every message outside a form (a slot mapping of `story`): keeps a story told
    before any report started, forgets a draft older than a day, and forgets the question
    a form was asking when the conversation's session ended with the form open (Rasa
    carries slots over, not the form), so that the next report starts afresh."""

    def name(self) -> str:
        return "action_note_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        slots = _slots(tracker)
        events: list[EventType] = []
        if slots.get(REQUESTED_SLOT) is not None:
            events.append(SlotSet(REQUESTED_SLOT, None))
        now = time.time()
        stale_draft = slots.get("draft_saved_at") is not None and not dialogue.has_draft(slots, now)
        stale_crisis = slots.get("crisis_at") is not None and now - float(slots["crisis_at"]) >= CRISIS_CASE_LIFETIME
        if stale_draft or stale_crisis:
            events += reset(REPORT_SLOTS)  # a day later, a new report starts afresh
        message = heard(tracker)
        if (
            message.intent not in dialogue.NOT_A_STORY
            and not message.crisis
            and is_story(message.text, message.incident_type, reported=message.intent == "report_incident")
        ):
            events.append(SlotSet("story", dialogue.story_of(message)))
        return events
