"""Checking a report (actions/check_case.py): code and PIN in one message or two, a
report asked for in the middle, the lock-out still counting."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.check_case import CheckCase, ValidateCheckCaseForm
from actions.report_form import SubmitReport
from tests.db.actions.test_report_form import REPORT_SLOTS
from tests.helpers.trackers import slots_set, tracker


async def test_check_case_right_and_wrong(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await SubmitReport().run(dispatcher, tracker(REPORT_SLOTS), {})
    code, pin = dispatcher.messages[0]["code"], dispatcher.messages[0]["pin"]
    dispatcher = CollectingDispatcher()
    events = await CheckCase().run(dispatcher, tracker({"case_code": code, "case_pin": pin}), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_case_status_new", "utter_case_no_update"]
    assert slots_set(events) == {"case_code": None, "case_pin": None, "check_misses": None}
    dispatcher = CollectingDispatcher()
    wrong = "000000" if pin != "000000" else "111111"
    await CheckCase().run(dispatcher, tracker({"case_code": code, "case_pin": wrong}), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_case_invalid"]


async def test_code_and_pin_in_one_message_with_words_around_them() -> None:
    for text in ("JS-7F3Q-9K2M 482913", "js7f3q9k2m 482913", "checking my report JS-7F3Q-9K2M pin 482913"):
        events = await ValidateCheckCaseForm().run(
            CollectingDispatcher(), tracker({"requested_slot": "case_code"}, text=text, intent="check_case"), {}
        )
        slots = slots_set(events)
        assert (slots["case_code"], slots["case_pin"], slots["requested_slot"]) == ("JS-7F3Q-9K2M", "482913", None), (
            text
        )


async def test_code_and_pin_in_two_messages() -> None:
    form = ValidateCheckCaseForm()
    events = await form.run(CollectingDispatcher(), tracker({"requested_slot": "case_code"}, text="js 7f3q 9k2m"), {})
    assert slots_set(events)["requested_slot"] == "case_pin"
    events = await form.run(
        CollectingDispatcher(),
        tracker({"requested_slot": "case_pin", "case_code": "JS-7F3Q-9K2M"}, text="482 913", timestamp=2.0),
        {},
    )
    assert slots_set(events)["case_pin"] == "482913" and slots_set(events)["requested_slot"] is None


async def test_a_report_or_the_menu_leaves_the_check() -> None:
    for text, intent in (("Dva ucenika su me tukla iza skole", "report_incident"), ("izbornik", "help_menu")):
        events = await ValidateCheckCaseForm().run(
            CollectingDispatcher(), tracker({"requested_slot": "case_code"}, text=text, intent=intent), {}
        )
        assert events[-1]["event"] == "action_execution_rejected", text


async def test_no_code_twice_ends_the_check_without_a_failed_attempt() -> None:
    form, dispatcher = ValidateCheckCaseForm(), CollectingDispatcher()
    events = await form.run(dispatcher, tracker({"requested_slot": "case_code"}, text="hmm"), {})
    assert dispatcher.messages[-1]["response"] == "utter_case_code_format"
    events = await form.run(
        dispatcher, tracker({"requested_slot": "case_code", **slots_set(events)}, text="ne znam", timestamp=2.0), {}
    )
    assert dispatcher.messages[-1]["response"] == "utter_case_check_given_up"
    assert slots_set(events)["requested_slot"] is None and slots_set(events)["case_code"] is None
