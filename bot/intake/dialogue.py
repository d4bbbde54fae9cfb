"""What the report conversation does with each message.

The Rasa form only asks the question this module chooses; every decision is here, as pure
functions of the report's answers so far and the message, so that it can be tested
without Rasa. The rules it keeps:

- A crisis never blocks or loses a report: it is answered (the adapter records a critical
  case), the message is kept as the answer to the open question or joins the description,
  and the form goes on.
- The first story counts: a message that tells what happened becomes the description,
  and the answers it gives are not asked again.
- Every question takes a person's answer; an answer not understood twice is given up on
  (skip, or "other"), so no question is asked a third time.
- Only an explicit stop ends a report, and a report with a description asks first.
- An unfinished report is a draft for 24 hours; starting a report again offers to finish it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.intake import answers, choices, patterns
from bot.intake.choices import MAX_DESCRIPTION, MIN_DESCRIPTION, SKIP, question
from bot.intake.extraction import KnownPlace, is_story, place_in, understand

# The report's questions in the order they are asked; `confirm` is the summary.
REPORT_QUESTIONS = (
    "incident_type",
    "discrimination_ground",
    "affected",
    "reporter_role",
    "school",
    "incident_time",
    "description",
    "danger_now",
    "contact_ok",
    "legal_aid_ok",
)
# Questions about the report itself rather than one of its answers.
CONTROL_QUESTIONS = ("resume_draft", "discard_confirm", "change_field", "confirm")
# Everything a report keeps while it is being written.
ANSWER_SLOTS = REPORT_QUESTIONS + ("school_id", "municipality_id")
STATE_SLOTS = CONTROL_QUESTIONS + ("misses", "draft_saved_at", "story")
ASK = "ask"  # the value of a control question that is waiting for its answer
SEND, CANCEL = "send", "cancel"
KEEP_AS_DRAFT = "draft"  # the summary not understood three times: the report is kept
DRAFT_LIFETIME = timedelta(hours=24)
MISSES_BEFORE_MOVING_ON = 2
CRISIS_INTENTS = ("urgent_danger", "self_harm")
# Short answers that a crisis classifier might misread ("he hits me" as the incident type)
# are taken as answers when they plainly answer the question; the deterministic safety net
# always wins.
SHORT_ANSWER_WORDS = 4
# An answer to "what happened?" of this many words is kept as the description as well.
DESCRIBING_WORDS = 3
# Intents whose messages are questions or requests, never a story to keep.
NOT_A_STORY = frozenset(
    {
        "ask_privacy",
        "check_case",
        "bot_challenge",
        "talk_to_person",
        "ask_resources",
        "help_menu",
        "switch_language",
        "cancel",
        "thank",
        "goodbye",
    }
)
# Typed menu titles and menu words that leave the report for another flow or the menu
# (the report is kept as a draft; data/rules.yml takes over).
LEAVING_COMMANDS = frozenset({"help_menu", "check_case", "ask_resources", "talk_to_person"})
# What an answer not understood twice becomes.
GIVE_UP_VALUE = {"incident_type": "other", "discrimination_ground": "other", "contact_ok": "no", "legal_aid_ok": "no"}
# Questions a crisis message never answers (consent is asked plainly), and what a crisis
# says to the others: danger now is "yes", and "when" is today.
NOT_FROM_A_CRISIS = ("description", "school", "incident_time", "contact_ok", "legal_aid_ok")
CRISIS_ANSWERS = {
    ("danger_now", "urgent_danger"): "yes",
    ("danger_now", "self_harm"): "yes",
    ("incident_time", "urgent_danger"): "today",
}
ASIDE_REPLIES = {"ask_privacy": "utter_privacy", "bot_challenge": "utter_bot_challenge", "help_menu": "utter_form_help"}
MISS_REPLIES = {
    "school": "utter_school_not_found",
    "description": "utter_description_too_short",
    "confirm": "utter_confirm_hint",
}


@dataclass(frozen=True)
class Heard:
    """One message as the NLU understood it."""

    text: str
    intent: str | None = None
    crisis: str | None = None  # urgent_danger or self_harm when the NLU saw a crisis
    crisis_from_lexicon: bool = False  # the deterministic safety net saw it
    incident_type: str | None = None  # the incident classifier's confident guess
    command: str | None = None  # the intent of a typed menu title or command word


@dataclass
class Step:
    """What to do with a message: answers to store, replies to send, a crisis to record,
    or leaving the form for the rules (menu, another flow)."""

    updates: dict[str, Any] = field(default_factory=dict)
    replies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    crisis: str | None = None
    leave: bool = False

    def say(self, response: str, **values: Any) -> None:
        self.replies.append((response, values))


def applies(slot: str, slots: Mapping[str, Any], consent_grounds: frozenset[str]) -> bool:
    """Whether a question belongs to this report (some depend on earlier answers)."""
    if slot == "discrimination_ground":
        return slots.get("incident_type") == "discrimination"
    if slot == "legal_aid_ok":
        return slots.get("incident_type") == "discrimination" and slots.get("discrimination_ground") in consent_grounds
    return True


def next_question(slots: Mapping[str, Any], consent_grounds: frozenset[str]) -> str | None:
    """The question to ask now, or None when the report is sent or cancelled."""
    if slots.get("confirm") in (SEND, CANCEL, KEEP_AS_DRAFT):
        return None
    for control in ("resume_draft", "discard_confirm", "change_field"):
        if slots.get(control) == ASK:
            return control
    for slot in REPORT_QUESTIONS:
        if slots.get(slot) is None and applies(slot, slots, consent_grounds):
            return slot
    return "confirm"


def has_draft(slots: Mapping[str, Any], now: float) -> bool:
    """An unfinished report, younger than a day, that the reporter could finish."""
    saved = slots.get("draft_saved_at")
    return (
        saved is not None
        and now - float(saved) < DRAFT_LIFETIME.total_seconds()
        and any(slots.get(s) not in (None, SKIP) for s in REPORT_QUESTIONS)
    )


def cleared(slots_to_clear: tuple[str, ...]) -> dict[str, Any]:
    return {slot: None for slot in slots_to_clear}


def _merged(slots: Mapping[str, Any], step: Step) -> dict[str, Any]:
    return {**slots, **step.updates}


def _misses(slots: Mapping[str, Any]) -> dict[str, int]:
    return dict(slots.get("misses") or {})


def _count_miss(step: Step, slots: Mapping[str, Any], asked: str) -> bool:
    """Count an answer not understood; True when it is the last one allowed (the question
    is then given up on, so it is never asked a third time)."""
    misses = _misses(slots)
    misses[asked] = misses.get(asked, 0) + 1
    step.updates["misses"] = misses
    return misses[asked] >= MISSES_BEFORE_MOVING_ON


def _place_updates(place: KnownPlace | None) -> dict[str, Any]:
    if place is None:
        return {}
    return {"school": place.label, "school_id": place.school_id, "municipality_id": place.municipality_id}


def _take_story(
    step: Step,
    slots: Mapping[str, Any],
    text: str,
    incident_type: str | None,
    places: list[KnownPlace],
    as_description: bool = True,
) -> None:
    """Keep a story as the description (or add it to one) and take every answer it gives
    to a question not yet answered."""
    current = _merged(slots, step)
    if as_description:
        description = current.get("description")
        if description in (None, SKIP):
            step.updates["description"] = text[:MAX_DESCRIPTION]
        elif text not in description:
            step.updates["description"] = f"{description}\n{text}"[:MAX_DESCRIPTION]
    understood = understand(text, places, incident_type)
    for slot, value in understood.answers().items():
        if current.get(slot) is None:
            step.updates[slot] = value
    if current.get("school") is None and understood.place is not None:
        step.updates.update(_place_updates(understood.place))
    # A child who writes "they hit me" at school is a student, unless they said otherwise.
    merged = _merged(slots, step)
    if merged.get("reporter_role") is None and merged.get("affected") == "me":
        step.updates["reporter_role"] = "student"


def _tells_a_story(heard: Heard) -> bool:
    return heard.intent not in NOT_A_STORY and is_story(
        heard.text, heard.incident_type, reported=heard.intent == "report_incident"
    )


def story_of(heard: Heard) -> dict[str, Any]:
    """How a story told outside a report is kept until a report starts."""
    return {"text": heard.text, "incident_type": heard.incident_type}


def keep_crisis_words(story: Any, heard: Heard) -> dict[str, Any]:
    """A crisis outside a report: its words join the story a report may start from."""
    text, kind = _kept_story({"story": story})
    if not text:
        return story_of(heard)
    if heard.text and heard.text not in text:
        text = f"{text}\n{heard.text}"
    return {"text": text[:MAX_DESCRIPTION], "incident_type": kind or heard.incident_type}


def _kept_story(slots: Mapping[str, Any]) -> tuple[str | None, str | None]:
    story = slots.get("story")
    if isinstance(story, dict):
        return story.get("text"), story.get("incident_type")
    return (story if isinstance(story, str) else None), None


def start(slots: Mapping[str, Any], heard: Heard, places: list[KnownPlace], now: float) -> Step:
    """The message that started the report (or the answer that led to it after a crisis)."""
    step = Step()
    if has_draft(slots, now):
        step.updates["resume_draft"] = ASK
    elif any(slots.get(s) is not None for s in ANSWER_SLOTS + STATE_SLOTS):
        step.updates.update(cleared(ANSWER_SLOTS + STATE_SLOTS))  # an old draft, or leftovers
    fresh = _merged(slots, step)
    story, story_type = (heard.text, heard.incident_type) if _tells_a_story(heard) else _kept_story(slots)
    if step.updates.get("resume_draft") == ASK:
        step.updates["story"] = {"text": story, "incident_type": story_type} if story else None
    elif story:
        step.updates["story"] = None
        _take_story(step, fresh, story, story_type, places)
    step.updates["draft_saved_at"] = now
    return step


def on_message(
    slots: Mapping[str, Any],
    heard: Heard,
    places: list[KnownPlace],
    typed_place: KnownPlace | None,
    now: float,
    consent_grounds: frozenset[str] = frozenset(),
) -> Step:
    """A message while the report's question `requested_slot` is open."""
    asked = slots.get("requested_slot")
    if asked is None:
        return start(slots, heard, places, now)
    step = Step(updates={"draft_saved_at": now})
    if heard.crisis and not _plainly_answers(asked, heard):
        _crisis(step, slots, asked, heard, places)
    elif asked in CONTROL_QUESTIONS:
        _control(step, slots, asked, heard, places, consent_grounds)
    else:
        _answer(step, slots, asked, heard, places, typed_place)
    return step


def _plainly_answers(asked: str, heard: Heard) -> bool:
    """A message the classifier took for a crisis that plainly answers the open question
    is that answer: a button, its title or its number, or for "what happened?" a short
    answer such as "he hits me". Anything else stays a crisis: "čekaju me ispred škole"
    also says "me", and "when?" takes any words. The deterministic safety net always wins,
    and at "is anyone in danger now?" a crisis is a "yes" and a crisis both."""
    if heard.crisis_from_lexicon or asked in ("description", "confirm", "school", "danger_now", "incident_time"):
        return False
    folded = patterns.fold(heard.text)
    if heard.text.startswith("/") or re.fullmatch(r"\d{1,2}\.?", folded) or choices.option_titled(asked, folded):
        return answers.answer(asked, heard.text) not in (None, SKIP)
    return (
        asked == "incident_type"
        and len(folded.split()) <= SHORT_ANSWER_WORDS
        and answers.answer(asked, heard.text) not in (None, SKIP)
    )


def _crisis(step: Step, slots: Mapping[str, Any], asked: str, heard: Heard, places: list[KnownPlace]) -> None:
    """Answer at once; keep the words as the answer to the open question and in the
    description; the adapter records the critical case. A crisis that does not answer the
    open question counts as not understood, so the question is not asked a third time."""
    step.crisis = heard.crisis
    step.say("utter_crisis_self_harm" if heard.crisis == "self_harm" else "utter_crisis_danger")
    step.say("utter_continue_report_after_crisis")
    value = CRISIS_ANSWERS.get((asked, heard.crisis or ""))
    if value is None and asked not in CONTROL_QUESTIONS + NOT_FROM_A_CRISIS:
        value = answers.answer(asked, heard.text)
    _take_story(step, slots, heard.text, heard.incident_type, places)
    for consent in ("contact_ok", "legal_aid_ok"):  # never read consent out of a crisis
        if consent in step.updates and slots.get(consent) is None:
            del step.updates[consent]
    if heard.crisis == "urgent_danger":
        step.updates["danger_now"] = "yes"  # whatever else the words seemed to say
    if value not in (None, SKIP):
        step.updates[asked] = value
    elif _merged(slots, step).get(asked) is None and asked not in CONTROL_QUESTIONS:
        if _count_miss(step, slots, asked):
            step.updates[asked] = GIVE_UP_VALUE.get(asked, SKIP)


LEFT, STOPPED, ASIDE = "left", "stopped", "aside"


def _leave_or_aside(step: Step, slots: Mapping[str, Any], heard: Heard) -> str | None:
    """Menu words, other flows, an explicit stop, or a question in between: which of these
    the message was, or None."""
    folded = patterns.fold(heard.text)
    if heard.command in LEAVING_COMMANDS:
        step.leave = True
        return LEFT
    if patterns.says("cancel", folded, folded=True):
        if any(slots.get(s) not in (None, SKIP) for s in REPORT_QUESTIONS):
            step.updates["discard_confirm"] = ASK  # never thrown away without asking
        else:
            step.updates["confirm"] = CANCEL
        return STOPPED
    aside = ASIDE_REPLIES.get(heard.command or heard.intent or "")
    if aside and not _tells_a_story(heard):
        step.say(aside)
        return ASIDE
    return None


def _describes(asked: str, heard: Heard) -> bool:
    """ "What happened?" answered in a few words of one's own ("ovi iz osmog me stalno
    maltretiraju") is already a description, not only a type."""
    folded = patterns.fold(heard.text)
    return (
        asked == "incident_type"
        and len(folded.split()) >= DESCRIBING_WORDS
        and not heard.text.startswith("/")
        and choices.option_titled(asked, folded) is None
    )


def _town_by_number(text: str, places: list[KnownPlace]) -> KnownPlace | None:
    """The town button with this number (the buttons list the towns in directory order)."""
    folded = patterns.fold(text).strip(" .")
    towns = [p for p in places if p.school_id is None]
    if folded.isdigit() and 1 <= int(folded) <= len(towns):
        return towns[int(folded) - 1]
    return None


def _answers_another_question(step: Step, slots: Mapping[str, Any], asked: str, text: str) -> bool:
    """A short answer that plainly answers a different question ("ja sam mama" asked for
    the school): take it, even over a guess, and ask the open question again."""
    if len(patterns.fold(text).split()) > SHORT_ANSWER_WORDS:
        return False
    for other in ("reporter_role", "affected"):
        value = patterns.value_in(other, text) if other != asked else None
        if value is not None and _merged(slots, step).get(other) != value:
            step.updates[other] = value
            return True
    return False


def _answer(
    step: Step,
    slots: Mapping[str, Any],
    asked: str,
    heard: Heard,
    places: list[KnownPlace],
    typed_place: KnownPlace | None,
) -> None:
    if patterns.says("cancel", heard.text):  # before "when", which takes any words
        _leave_or_aside(step, slots, heard)
        return
    value = answers.answer(asked, heard.text)
    if asked == "incident_type" and value is None and heard.incident_type and not heard.text.startswith("/"):
        value = heard.incident_type  # "gurnuo me niz stepenice": the classifier's type
    if value is not None and not _is_option(asked, value):
        # "when?" takes any words, but not a menu word, a case code or a question.
        if _handled_aside(step, slots, asked, heard):
            return
    if value is None and asked == "school":
        typed = choices.payload_choice(heard.text) or heard.text
        place = _town_by_number(typed, places) or typed_place or place_in(typed, places)
        if place is not None:
            step.updates.update(_place_updates(place))
            if _tells_a_story(heard):
                _take_story(step, slots, heard.text, heard.incident_type, places)
            return
        if _answers_another_question(step, slots, asked, heard.text):
            return
    if value is not None:
        step.updates[asked] = value
        if asked == "school":
            step.updates.update(cleared(("school_id", "municipality_id")))
        if asked == "danger_now" and value == "yes":
            step.say("utter_danger_now_yes")
            step.crisis = "urgent_danger"  # someone is in danger: the case is critical now
        if asked != "description" and (_tells_a_story(heard) or _describes(asked, heard)):
            _take_story(step, slots, heard.text, heard.incident_type, places)
        return
    if _handled_aside(step, slots, asked, heard):
        return
    text = heard.text.strip()
    if asked == "description":
        if len(text) >= MIN_DESCRIPTION and not answers.is_yes_no_word(text) and not text.startswith("/"):
            step.updates["description"] = text[:MAX_DESCRIPTION]
            _take_story(step, slots, text, heard.incident_type, places, as_description=False)
            return
    elif _tells_a_story(heard):
        _take_story(step, slots, text, heard.incident_type, places)
        if _merged(slots, step).get(asked) is not None:
            return
    elif _answers_another_question(step, slots, asked, text):
        return
    _missed(step, slots, asked)


def _handled_aside(step: Step, slots: Mapping[str, Any], asked: str, heard: Heard) -> bool:
    """A menu word, a stop or a question in between. A question in between is answered,
    and counts as a miss of the open question, so that even questions in a row never
    make the same question come a third time."""
    handled = _leave_or_aside(step, slots, heard)
    if handled == ASIDE and _count_miss(step, slots, asked):
        step.updates[asked] = GIVE_UP_VALUE.get(asked, SKIP)
        step.say("utter_moving_on")
    return handled is not None


def _is_option(slot: str, value: str) -> bool:
    return value == SKIP or any(option.value == value for option in question(slot).options)


def _missed(step: Step, slots: Mapping[str, Any], asked: str) -> None:
    """Not understood: say how to answer the first time; the second time, move on."""
    if not _count_miss(step, slots, asked):
        step.say(MISS_REPLIES.get(asked, "utter_choose_option"))
        return
    if asked == "confirm":
        return  # never sent without "Send": the summary is shown again in a shorter form
    step.updates[asked] = GIVE_UP_VALUE.get(asked, SKIP)
    step.say("utter_moving_on")


def _control(
    step: Step,
    slots: Mapping[str, Any],
    asked: str,
    heard: Heard,
    places: list[KnownPlace],
    consent_grounds: frozenset[str],
) -> None:
    folded = patterns.fold(heard.text)
    if asked == "confirm":
        value = None if patterns.says("cancel", folded, folded=True) else answers.answer("confirm", heard.text)
        if value == SEND:
            step.updates["confirm"] = SEND
        elif value == "change":
            step.updates["change_field"] = ASK
        elif not _leave_or_aside(step, slots, heard):
            _missed(step, slots, "confirm")
            if _misses(_merged(slots, step)).get("confirm", 0) > MISSES_BEFORE_MOVING_ON:
                step.updates["confirm"] = KEEP_AS_DRAFT  # never sent unasked, never a trap
        return
    value = answers.answer(asked, heard.text)
    if asked == "change_field":
        _change(step, slots, value, heard)
    elif asked in ("resume_draft", "discard_confirm"):
        if value is None and patterns.says("cancel", folded, folded=True):
            value = "yes" if asked == "discard_confirm" else "no"  # "stop": delete it
        if value not in ("yes", "no"):
            if _leave_or_aside(step, slots, heard):
                return
            if not _count_miss(step, slots, asked):
                step.say("utter_choose_option")
                return
            # Not understood twice: keep the report, which loses nothing.
            value = "yes" if asked == "resume_draft" else "no"
        step.updates[asked] = None
        if asked == "resume_draft" and value == "no":
            _start_again(step, slots, places)
        elif asked == "resume_draft":
            story, story_type = _kept_story(slots)  # told when the draft was offered
            step.updates["story"] = None
            misses = _misses(_merged(slots, step))
            misses.pop("confirm", None)  # the summary starts afresh
            step.updates["misses"] = misses
            if story:
                _take_story(step, slots, story, story_type, places)
        if asked == "discard_confirm" and value == "yes":
            step.updates["confirm"] = CANCEL


def _start_again(step: Step, slots: Mapping[str, Any], places: list[KnownPlace]) -> None:
    """The reporter does not want the draft: forget it, keep what they wrote just now."""
    story, story_type = _kept_story(slots)
    saved = step.updates["draft_saved_at"]
    step.updates.update(cleared(ANSWER_SLOTS + STATE_SLOTS))
    step.updates["draft_saved_at"] = saved
    if story:
        _take_story(step, {}, story, story_type, places)


def _change(step: Step, slots: Mapping[str, Any], value: str | None, heard: Heard) -> None:
    """The reporter picked what to change on the summary: clear it, so it is asked again."""
    if value is None:
        value = answers.answer("change_field", heard.text)
    options = {o.value: o for o in question("change_field").options}
    if value not in options:
        if _count_miss(step, slots, "change_field"):
            step.updates["change_field"] = None  # back to the summary
        else:
            step.say("utter_choose_option")
        return
    step.updates["change_field"] = None
    if value == "nothing":  # "Nothing, send it"
        step.updates["confirm"] = SEND
        return
    step.updates.update(cleared(options[value].fields))
    misses = _misses(slots)
    for slot in options[value].fields:
        misses.pop(slot, None)
    step.updates["misses"] = misses
