"""What the custom actions share: the reader's language and script, the message as the
NLU understood it, the directory's places, and recording a crisis."""

from __future__ import annotations

import time
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot import intake
from bot.cases import submission as cases
from bot.directory.places import known_places, match_place
from bot.intake.dialogue import CRISIS_INTENTS, DRAFT_LIFETIME, Heard
from bot.intake.extraction import KnownPlace, case_fields, understand
from bot.nlu.safety_net import default_safety_net
from bot.storage.db import in_session as in_db
from bot.text.catalogue import Reader

# Slots of a report being written, and of a case check.
REPORT_SLOTS = (
    "incident_type",
    "discrimination_ground",
    "affected",
    "reporter_role",
    "school",
    "school_id",
    "municipality_id",
    "incident_time",
    "description",
    "danger_now",
    "contact_ok",
    "legal_aid_ok",
    "confirm",
    "resume_draft",
    "discard_confirm",
    "change_field",
    "misses",
    "draft_saved_at",
    "story",
    "crisis_case_id",
    "crisis_at",
)
CHECK_SLOTS = ("case_code", "case_pin", "check_misses")
INCIDENT_ENTITY = "incident_type"
# Further crisis messages join the conversation's critical case for this long (and a
# report made in that time completes it); after that a crisis opens a new case.
CRISIS_CASE_LIFETIME = DRAFT_LIFETIME.total_seconds()


SHORT_TEXT_CHANNELS = ("sms", "twilio")


def text_size(tracker: Tracker) -> str:
    """ "short" on SMS, where every character costs, "long" elsewhere."""
    return "short" if tracker.get_latest_input_channel() in SHORT_TEXT_CHANNELS else "long"


def reader(tracker: Tracker) -> Reader:
    """Who reads the bot's answers: the conversation's language and script slots."""
    return Reader.of(tracker.get_slot("language"), tracker.get_slot("script"))


def say(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, **extra: Any) -> None:
    """Send text we composed here (not a domain response) in the reader's script."""
    dispatcher.utter_message(text=reader(tracker).in_script(text), **extra)


def reset(slots: tuple[str, ...]) -> list[EventType]:
    return [SlotSet(slot, None) for slot in slots]


def message_key(tracker: Tracker) -> str | None:
    """Identifies the latest user message, so that a form resumed after a rule does not
    take the same message twice."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return f"{event.get('timestamp')}"
    return None


def heard(tracker: Tracker) -> Heard:
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    incident = next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == INCIDENT_ENTITY), None)
    return Heard(
        text=message.get("text") or "",
        intent=intent,
        crisis=intent if intent in CRISIS_INTENTS else None,
        # The word list is asked directly: when the classifier already saw a crisis, the
        # NLU's safety net did not run, and its word is still the stronger evidence.
        crisis_from_lexicon=default_safety_net().check(message.get("text") or "") is not None,
        incident_type=incident,
        command=message.get("command"),
    )


def _places(session: Session, typed: str | None) -> tuple[list[KnownPlace], KnownPlace | None]:
    places = known_places(session)
    match = match_place(session, typed) if typed else None
    if match is None:
        return places, None
    typed_place = next(
        (p for p in places if p.school_id == match.school_id and p.municipality_id == match.municipality_id), None
    )
    return places, typed_place


async def places_for(typed: str | None) -> tuple[list[KnownPlace], KnownPlace | None]:
    """The directory's places, and the place a typed answer names (when one is given)."""
    return await in_db(_places, typed)


async def record_crisis(tracker: Tracker, kind: str, slots: dict[str, Any], text: str) -> list[EventType]:
    """A critical case for a crisis message (alerts leave with it), or one more message on
    the case this conversation's crisis already opened. The words fill in what the report
    does not know yet (the school or town, the type), so that the alerts reach the right
    people, and they are the case's description."""
    kind = kind if kind in CRISIS_INTENTS else "urgent_danger"
    existing = slots.get("crisis_case_id")
    if existing and time.time() - float(slots.get("crisis_at") or 0) < CRISIS_CASE_LIFETIME:
        await in_db(cases.add_crisis_message, existing, kind, text)
        return []
    # A first crisis, or one long after the last: a new critical case, and new alerts.
    places, _ = await places_for(None)
    said = case_fields(understand(text, places, heard(tracker).incident_type))
    report = intake.report_from_slots(slots, tracker.get_latest_input_channel()).filled_from(
        {"description": text[: intake.MAX_DESCRIPTION], **said}
    )
    case_id = await in_db(cases.record_crisis, kind, report, text, tracker.sender_id)
    return [SlotSet("crisis_case_id", case_id), SlotSet("crisis_at", time.time())]


def utter_all(dispatcher: CollectingDispatcher, replies: list[tuple[str, dict[str, Any]]]) -> None:
    for response, values in replies:
        dispatcher.utter_message(response=response, **values)
