"""The custom actions with rasa_sdk's CollectingDispatcher and real trackers, on a real
(SQLite) database."""
from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.actions import (
    ASK_ACTIONS,
    AskForSchool,
    CancelForm,
    CheckCase,
    RecordCrisis,
    Resources,
    SubmitReport,
    SwitchLanguage,
    TalkToPerson,
    ValidateReportForm,
)
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case


def tracker(slots: dict[str, Any] | None = None, text: str = "", intent: str = "greet",
            entities: list | None = None, channel: str = "rest", sender: str = "test-user") -> Tracker:
    return Tracker(
        sender_id=sender,
        slots={"language": "bcs", "script": "latin", **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0},
                        "entities": entities or []},
        events=[{"event": "user", "text": text, "input_channel": channel}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def slots_set(events) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def cases(url: str) -> list[Case]:
    with session_scope(engine_for(url)) as session:
        return session.scalars(select(Case)).all()


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


async def test_form_validation_of_typed_answers(app_database) -> None:
    form, dispatcher = ValidateReportForm(), CollectingDispatcher()
    assert await form.validate_incident_type("2", dispatcher, tracker(), {}) == {"incident_type": "bullying"}
    assert await form.validate_incident_type("???", dispatcher, tracker(), {}) == {"incident_type": None}
    assert dispatcher.messages[-1]["response"] == "utter_choose_option"
    school = await form.validate_school("OŠ Uzorak 1 Livno", dispatcher, tracker(), {})
    assert school["school"] == "OŠ Uzorak 1 Livno" and school["school_id"]
    assert (await form.validate_school("Zagreb", dispatcher, tracker(), {}))["school"] is None
    assert dispatcher.messages[-1]["response"] == "utter_school_not_found"
    assert (await form.validate_school("preskoči", dispatcher, tracker(), {}))["school"] == "skipped"
    assert await form.validate_description("ok", dispatcher, tracker(), {}) == {"description": None}
    danger = await form.validate_danger_now("da", dispatcher, tracker(), {})
    assert danger == {"danger_now": "yes"} and dispatcher.messages[-1]["response"] == "utter_danger_now_yes"


@pytest.mark.parametrize("typed, expected", [
    ("7", "home"),
    ("8", "other"),
    ("home", "home"),
    ("tata me tuče", "home"),
    ("Код куће ме туку", "home"),
    ("moja mama me stalno udara", "home"),
    ("roditelji se svađaju i viču na mene", "home"),
    ("my dad hits me", "home"),
    ("it happens at home", "home"),
    # A parent who says who they are is not reporting violence at home.
    ("ja sam mama, sina mi tuku u školi", "physical"),
    ("na putu kući su me tukli", "physical"),
    ("they stole my homework", None),
])
async def test_violence_at_home_is_recognised(app_database, typed, expected) -> None:
    form = ValidateReportForm()
    assert await form.validate_incident_type(typed, CollectingDispatcher(), tracker(), {}) == {"incident_type": expected}


async def test_discrimination_ground_is_asked_only_for_discrimination(app_database) -> None:
    form, dispatcher = ValidateReportForm(), CollectingDispatcher()
    slots = ["incident_type", "discrimination_ground", "affected"]
    asked = await form.required_slots(slots, dispatcher, tracker({"incident_type": "bullying"}), {})
    assert asked == ["incident_type", "affected"]
    asked = await form.required_slots(slots, dispatcher, tracker({"incident_type": "discrimination"}), {})
    assert asked == slots


FORM_SLOTS = ["incident_type", "discrimination_ground", "affected", "reporter_role", "school",
              "incident_time", "description", "danger_now", "contact_ok", "legal_aid_ok", "confirm"]


@pytest.mark.parametrize("slots, asked", [
    ({"incident_type": "bullying"}, False),
    ({"incident_type": "discrimination"}, False),  # the ground is not known yet
    ({"incident_type": "discrimination", "discrimination_ground": "ethnicity"}, True),
    ({"incident_type": "discrimination", "discrimination_ground": "religion"}, True),
    ({"incident_type": "discrimination", "discrimination_ground": "displaced"}, True),
    ({"incident_type": "discrimination", "discrimination_ground": "roma"}, True),
    ({"incident_type": "discrimination", "discrimination_ground": "gender"}, False),
    ({"incident_type": "discrimination", "discrimination_ground": "skipped"}, False),
    ({"incident_type": "home", "discrimination_ground": "roma"}, False),
])
async def test_legal_aid_consent_is_asked_only_for_some_grounds(app_database, slots, asked) -> None:
    required = await ValidateReportForm().required_slots(FORM_SLOTS, CollectingDispatcher(), tracker(slots), {})
    assert ("legal_aid_ok" in required) is asked
    assert ("discrimination_ground" in required) is (slots["incident_type"] == "discrimination")
    assert required[-2:] == (["legal_aid_ok", "confirm"] if asked else ["contact_ok", "confirm"])


async def test_legal_aid_question_is_yes_or_no(app_database) -> None:
    dispatcher = CollectingDispatcher()
    ask = next(a for a in ASK_ACTIONS if a().name() == "action_ask_legal_aid_ok")()
    await ask.run(dispatcher, tracker({"language": "en"}), {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_legal_aid_ok"
    assert [b["title"] for b in message["buttons"]] == ["Yes", "No"]  # no "Skip"
    form = ValidateReportForm()
    assert await form.validate_legal_aid_ok("da", dispatcher, tracker(), {}) == {"legal_aid_ok": "yes"}
    assert await form.validate_legal_aid_ok('/choose{"choice": "no"}', dispatcher, tracker(), {}) == {"legal_aid_ok": "no"}
    assert await form.validate_legal_aid_ok("hmm", dispatcher, tracker(), {}) == {"legal_aid_ok": None}
    assert dispatcher.messages[-1]["response"] == "utter_choose_option"


def test_legal_aid_consent_reaches_the_report() -> None:
    from actions.actions import _report_from

    assert _report_from(tracker({"legal_aid_ok": "yes"}))["legal_aid_ok"] is True
    assert _report_from(tracker({"legal_aid_ok": "no"}))["legal_aid_ok"] is False
    assert _report_from(tracker())["legal_aid_ok"] is None


REPORT_SLOTS = {"incident_type": "discrimination", "discrimination_ground": "displaced",
                "affected": "someone_else", "reporter_role": "parent", "school": "skipped",
                "incident_time": "this_week", "description": "Djecu povratnika ne puštaju u igru.",
                "danger_now": "no", "contact_ok": "yes", "confirm": "send"}


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


async def test_cancel_form_deactivates_and_clears(app_database) -> None:
    dispatcher = CollectingDispatcher()
    events = await CancelForm().run(dispatcher, tracker(REPORT_SLOTS), {})
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events]
    assert slots_set(events)["description"] is None


async def test_crisis_is_recorded_once_per_conversation(app_database) -> None:
    dispatcher = CollectingDispatcher()
    events = await RecordCrisis().run(dispatcher, tracker(text="želim umrijeti", intent="self_harm"), {})
    case_id = slots_set(events)["crisis_case_id"]
    again = await RecordCrisis().run(
        dispatcher, tracker({"crisis_case_id": case_id}, text="ne mogu više", intent="self_harm"), {})
    assert again == []
    [case] = cases(app_database)
    assert case.severity == "critical" and case.crisis_kind == "self_harm"
    with session_scope(engine_for(app_database)) as session:
        crisis_messages = [e.body for e in session.get(Case, case_id).events if e.kind == "crisis_self_harm"]
        reasons = {r.reason for r in session.get(Case, case_id).referrals}
    assert crisis_messages == ["želim umrijeti", "ne mogu više"]
    assert {"no_school", "critical", "self_harm"} <= reasons  # alerted with the first message


async def test_check_case_right_and_wrong(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await SubmitReport().run(dispatcher, tracker(REPORT_SLOTS), {})
    code, pin = dispatcher.messages[0]["code"], dispatcher.messages[0]["pin"]
    dispatcher = CollectingDispatcher()
    events = await CheckCase().run(dispatcher, tracker({"case_code": code, "case_pin": pin}), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_case_status_new", "utter_case_no_update"]
    assert slots_set(events) == {"case_code": None, "case_pin": None}
    dispatcher = CollectingDispatcher()
    wrong = "000000" if pin != "000000" else "111111"
    await CheckCase().run(dispatcher, tracker({"case_code": code, "case_pin": wrong}), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_case_invalid"]


async def test_resources_menu_and_topic(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await Resources().run(dispatcher, tracker(text="trebam savjet"), {})
    menu = dispatcher.messages[0]
    assert menu["response"] == "utter_resources_menu" and len(menu["buttons"]) >= 12
    dispatcher = CollectingDispatcher()
    await Resources().run(dispatcher, tracker({"script": "cyrillic"}, text="/ask_resources",
                                              entities=[{"entity": "topic", "value": "bullying"}]), {})
    assert dispatcher.messages[0]["text"][:1] in "ВБЗНШ" and len(dispatcher.messages[0]["text"]) > 320
    dispatcher = CollectingDispatcher()
    await Resources().run(dispatcher, tracker({"language": "en"}, text="how do I stay safe online?",
                                              channel="sms"), {})
    text = dispatcher.messages[0]["text"]
    assert "online" in text.lower() or "cyber" in text.lower()


async def test_talk_to_person_lists_services_from_the_data_file(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await TalkToPerson().run(dispatcher, tracker({"language": "en"}), {})
    assert "080 05 03 05" in dispatcher.messages[1]["text"]


async def test_switch_language(app_database) -> None:
    events = await SwitchLanguage().run(CollectingDispatcher(), tracker(text="English please"), {})
    assert slots_set(events) == {"language": "en", "script": "latin"}


async def test_check_form_validation(app_database) -> None:
    from actions.actions import ValidateCheckCaseForm

    form, dispatcher = ValidateCheckCaseForm(), CollectingDispatcher()
    assert await form.validate_case_code("js 7f3q 9k2m", dispatcher, tracker(), {}) == {"case_code": "JS-7F3Q-9K2M"}
    assert await form.validate_case_code("hello", dispatcher, tracker(), {}) == {"case_code": None}
    assert dispatcher.messages[-1]["response"] == "utter_case_code_format"
    assert await form.validate_case_pin("123 456", dispatcher, tracker(), {}) == {"case_pin": "123456"}
    assert await form.validate_case_pin("12", dispatcher, tracker(), {}) == {"case_pin": None}
    assert dispatcher.messages[-1]["response"] == "utter_case_pin_format"
    await form.validate_case_pin("is this anonymous?", dispatcher, tracker(intent="ask_privacy"), {})
    assert dispatcher.messages[-1]["response"] == "utter_privacy"


def test_every_custom_action_in_the_domain_is_served() -> None:
    import yaml
    from rasa_sdk.executor import ActionExecutor

    from bot.paths import PROJECT_DIR

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    assert set(domain["actions"]) <= set(executor.actions)
