"""The report form's adapter (actions/report_form.py) with rasa_sdk's own trackers on a
real (SQLite) database: what it reads from the message, what it records, which question
it asks next. The decisions themselves are tested in tests/unit/intake/."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.report_form import (
    ASK_ACTIONS,
    AskForConfirm,
    AskForSchool,
    LeaveForm,
    NoteTurn,
    SubmitReport,
    ValidateReportForm,
)
from tests.helpers.trackers import cases, slots_set, tracker

INCIDENT = "incident_type"


def _story(text: str, kind: str) -> dict:
    return {
        "text": text,
        "intent": "report_incident",
        "entities": [{"entity": INCIDENT, "value": kind, "extractor": "IncidentTypeClassifier"}],
    }


async def test_choice_questions_offer_buttons_in_the_readers_script(app_database) -> None:
    dispatcher = CollectingDispatcher()
    ask = next(a for a in ASK_ACTIONS if a().name() == "action_ask_affected")()
    await ask.run(dispatcher, tracker({"script": "cyrillic"}), {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_affected"
    assert [b["title"] for b in message["buttons"]] == ["Мени", "Неком другом", "Прескочи"]


async def test_school_question_offers_the_towns(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await AskForSchool().run(dispatcher, tracker(), {})
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles[:6] == ["Livno", "Tomislavgrad", "Kupres", "Glamoč", "Drvar", "Bosansko Grahovo"]
    assert titles[-1] == "Preskoči"


REPORT_SLOTS = {
    "incident_type": "discrimination",
    "discrimination_ground": "displaced",
    "affected": "someone_else",
    "reporter_role": "parent",
    "school": "skipped",
    "incident_time": "this_week",
    "description": "Djecu povratnika ne puštaju u igru.",
    "danger_now": "no",
    "contact_ok": "yes",
    "confirm": "send",
}


async def test_submitting_stores_the_case_and_shows_code_and_pin_once(app_database) -> None:
    dispatcher = CollectingDispatcher()
    events = await SubmitReport().run(dispatcher, tracker(REPORT_SLOTS), {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_report_submitted"
    code, pin = message["code"], message["pin"]
    [case] = cases(app_database)
    assert case.code == code and pin not in case.pin_hash
    assert case.discrimination_ground == "displaced" and case.contact_ok is True
    assert case.school_id is None and case.channel == "rest"
    assert all(value is None for value in slots_set(events).values())


async def test_legal_aid_consent_is_stored_with_the_case_and_cleared(app_database) -> None:
    dispatcher = CollectingDispatcher()
    events = await SubmitReport().run(dispatcher, tracker({**REPORT_SLOTS, "legal_aid_ok": "yes"}), {})
    await SubmitReport().run(dispatcher, tracker({**REPORT_SLOTS, "discrimination_ground": "gender"}), {})
    assert [c.legal_aid_ok for c in sorted(cases(app_database), key=lambda c: c.id)] == [True, None]
    assert slots_set(events)["legal_aid_ok"] is None  # the next report asks again


async def test_cancel_at_confirmation_stores_nothing(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await SubmitReport().run(dispatcher, tracker({**REPORT_SLOTS, "confirm": "cancel"}), {})
    assert dispatcher.messages[0]["response"] == "utter_report_cancelled"
    assert cases(app_database) == []


async def test_a_story_at_the_start_fills_what_it_says_and_asks_the_rest(app_database) -> None:
    story = "Moju kćer u Livnu svaki dan vrijeđaju jer smo povratnici"
    events = await ValidateReportForm().run(CollectingDispatcher(), tracker(**_story(story, "bullying")), {})
    slots = slots_set(events)
    assert slots["description"] == story and slots[INCIDENT] == "discrimination"
    assert slots["discrimination_ground"] == "displaced" and slots["municipality_id"] is not None
    assert slots["affected"] == "someone_else" and slots["reporter_role"] == "parent"
    assert slots["incident_time"] == "ongoing" and slots["requested_slot"] == "danger_now"


async def test_a_crisis_inside_the_form_is_recorded_and_the_words_kept(app_database) -> None:
    dispatcher = CollectingDispatcher()
    text = "Dva ucenika me cekaju ispred skole s nozem"
    slots = {
        "requested_slot": "description",
        INCIDENT: "threats",
        "affected": "me",
        "reporter_role": "student",
        "school": "skipped",
        "incident_time": "today",
    }
    events = await ValidateReportForm().run(
        dispatcher,
        tracker(
            slots,
            text=text,
            intent="urgent_danger",
            extra={"safety_net": {"kind": "urgent_danger", "evidence": "safety net: noz"}},
        ),
        {},
    )
    answers = slots_set(events)
    assert answers["description"] == text and answers["danger_now"] == "yes"
    assert answers["requested_slot"] == "contact_ok"
    assert [m["response"] for m in dispatcher.messages][:1] == ["utter_crisis_danger"]
    [case] = cases(app_database)
    assert case.severity == "critical" and answers["crisis_case_id"] == case.id


async def test_a_message_is_read_once_when_the_form_resumes(app_database) -> None:
    first = tracker({"requested_slot": "affected", INCIDENT: "physical"}, text="meni", timestamp=5.0)
    events = await ValidateReportForm().run(CollectingDispatcher(), first, {})
    handled = slots_set(events)["handled_message"]
    again = tracker(
        {"requested_slot": "reporter_role", INCIDENT: "physical", "affected": "me", "handled_message": handled},
        text="meni",
        timestamp=5.0,
    )
    assert slots_set(await ValidateReportForm().run(CollectingDispatcher(), again, {})) == {
        "requested_slot": "reporter_role"
    }


async def test_menu_words_leave_the_form_and_keep_the_draft(app_database) -> None:
    events = await ValidateReportForm().run(
        CollectingDispatcher(),
        tracker(
            {"requested_slot": "school", INCIDENT: "bullying", "description": "vrijeđaju me"},
            text="izbornik",
            intent="help_menu",
            extra={"command": "help_menu"},
        ),
        {},
    )
    assert events[-1]["event"] == "action_execution_rejected"
    left = tracker({"description": "vrijeđaju me", INCIDENT: "bullying", "draft_saved_at": 1e12})
    left.active_loop = {"name": "report_form"}
    dispatcher = CollectingDispatcher()
    events = await LeaveForm().run(dispatcher, left, {})
    assert dispatcher.messages[0]["response"] == "utter_draft_kept"
    assert "description" not in slots_set(events)  # the draft stays


async def test_the_summary_shows_what_was_understood(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await AskForConfirm().run(dispatcher, tracker({**REPORT_SLOTS, "language": "en", "confirm": None}), {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_confirm"
    assert "Discrimination (returnee, refugee or displaced)" in message["summary"]
    assert "Djecu povratnika ne puštaju u igru." in message["summary"]
    assert [b["title"] for b in message["buttons"]] == ["Send the report", "Change something"]


async def test_a_story_told_before_any_report_is_kept(app_database) -> None:
    events = await NoteTurn().run(
        CollectingDispatcher(),
        tracker(**{**_story("zdravo, dva ucenika me tuku svaki dan iza skole", "physical"), "intent": "greet"}),
        {},
    )
    assert slots_set(events)["story"]["text"].startswith("zdravo, dva ucenika")


async def test_a_question_left_open_by_an_ended_session_is_forgotten(app_database) -> None:
    events = await NoteTurn().run(
        CollectingDispatcher(),
        tracker(
            {"requested_slot": "school", "description": "vrijeđaju me", "draft_saved_at": 1.0},
            text="prijava",
            intent="report_incident",
        ),
        {},
    )
    slots = slots_set(events)
    assert slots["requested_slot"] is None and slots["description"] is None  # a day-old draft
