"""The custom actions with rasa_sdk's CollectingDispatcher and real trackers, on a real
(SQLite) database."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.actions import CancelForm, RecordCrisis, Resources, SwitchLanguage, TalkToPerson
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case
from tests.db.actions.test_report_form import REPORT_SLOTS
from tests.helpers.trackers import cases, slots_set, tracker


async def test_cancel_form_deactivates_and_clears(app_database) -> None:
    dispatcher = CollectingDispatcher()
    events = await CancelForm().run(dispatcher, tracker(REPORT_SLOTS), {})
    assert {"event": "active_loop", "name": None} in [{"event": e["event"], "name": e.get("name")} for e in events]
    assert slots_set(events)["description"] is None


async def test_crisis_is_recorded_once_per_conversation(app_database) -> None:
    dispatcher = CollectingDispatcher()
    events = await RecordCrisis().run(dispatcher, tracker(text="želim umrijeti", intent="self_harm"), {})
    case_id = slots_set(events)["crisis_case_id"]
    again = await RecordCrisis().run(
        dispatcher,
        tracker(
            {
                "crisis_case_id": case_id,
                "crisis_at": slots_set(events)["crisis_at"],
                "story": slots_set(events)["story"],
            },
            text="ne mogu više",
            intent="self_harm",
        ),
        {},
    )
    # No second case; the words are kept for a report that may follow.
    assert slots_set(again) == {"story": {"text": "želim umrijeti\nne mogu više", "incident_type": None}}
    [case] = cases(app_database)
    assert case.severity == "critical" and case.crisis_kind == "self_harm"
    with session_scope(engine_for(app_database)) as session:
        crisis_messages = [e.body for e in session.get(Case, case_id).events if e.kind == "crisis_self_harm"]
        reasons = {r.reason for r in session.get(Case, case_id).referrals}
    assert crisis_messages == ["želim umrijeti", "ne mogu više"]
    assert {"no_place", "critical", "self_harm"} <= reasons  # alerted with the first message


async def test_resources_menu_and_topic(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await Resources().run(dispatcher, tracker(text="trebam savjet"), {})
    menu = dispatcher.messages[0]
    assert menu["response"] == "utter_resources_menu" and len(menu["buttons"]) >= 12
    dispatcher = CollectingDispatcher()
    await Resources().run(
        dispatcher,
        tracker({"script": "cyrillic"}, text="/ask_resources", entities=[{"entity": "topic", "value": "bullying"}]),
        {},
    )
    assert dispatcher.messages[0]["text"][:1] in "ВБЗНШ" and len(dispatcher.messages[0]["text"]) > 320
    dispatcher = CollectingDispatcher()
    await Resources().run(dispatcher, tracker({"language": "en"}, text="how do I stay safe online?", channel="sms"), {})
    text = dispatcher.messages[0]["text"]
    assert "online" in text.lower() or "cyber" in text.lower()


async def test_talk_to_person_lists_services_from_the_data_file(app_database) -> None:
    dispatcher = CollectingDispatcher()
    await TalkToPerson().run(dispatcher, tracker({"language": "en"}), {})
    assert "080 05 03 05" in dispatcher.messages[1]["text"]


async def test_switch_language(app_database) -> None:
    events = await SwitchLanguage().run(CollectingDispatcher(), tracker(text="English please"), {})
    assert slots_set(events) == {"language": "en", "script": "latin"}


def test_every_custom_action_in_the_domain_is_served() -> None:
    import yaml
    from rasa_sdk.executor import ActionExecutor

    from bot.paths import PROJECT_DIR

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    assert set(domain["actions"]) <= set(executor.actions)


async def test_a_crisis_a_day_after_the_last_opens_a_new_case(app_database) -> None:
    dispatcher = CollectingDispatcher()
    first = slots_set(await RecordCrisis().run(dispatcher, tracker(text="ima nož", intent="urgent_danger"), {}))
    later = slots_set(
        await RecordCrisis().run(
            dispatcher,
            tracker(
                {"crisis_case_id": first["crisis_case_id"], "crisis_at": first["crisis_at"] - 25 * 3600},
                text="opet ima nož",
                intent="urgent_danger",
            ),
            {},
        )
    )
    assert later["crisis_case_id"] != first["crisis_case_id"] and len(cases(app_database)) == 2


async def test_a_crisis_case_is_filled_in_from_the_words(app_database) -> None:
    text = "Hitno! Jedan ucenik ima noz u OŠ Uzorak 2 Livno i prijeti drugima"
    events = await RecordCrisis().run(
        CollectingDispatcher(),
        tracker(
            text=text,
            intent="urgent_danger",
            entities=[{"entity": "incident_type", "value": "threats", "extractor": "IncidentTypeClassifier"}],
        ),
        {},
    )
    with session_scope(engine_for(app_database)) as session:
        case = session.get(Case, slots_set(events)["crisis_case_id"])
        assert case.description == text and case.incident_type == "threats"
        assert case.school is not None and case.school.name == "OŠ Uzorak 2 Livno"
        assert case.municipality_id == case.school.municipality_id
        reasons = {r.reason for r in case.referrals}
    assert "school_counsellors" in reasons and "no_school" not in reasons  # the school's staff
    more = await RecordCrisis().run(
        CollectingDispatcher(),
        tracker(
            {"crisis_case_id": slots_set(events)["crisis_case_id"], "crisis_at": slots_set(events)["crisis_at"]},
            text="sad je u hodniku",
            intent="urgent_danger",
        ),
        {},
    )
    assert "crisis_case_id" not in slots_set(more)
    with session_scope(engine_for(app_database)) as session:
        assert session.get(Case, slots_set(events)["crisis_case_id"]).description == f"{text}\nsad je u hodniku"
