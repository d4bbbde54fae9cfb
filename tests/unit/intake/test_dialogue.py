"""The report conversation's decisions, message by message (no Rasa): crises that keep the
words, stories that answer questions, answers in people's own words, no third ask, no
cancel nobody asked for, drafts."""

from __future__ import annotations

import pytest

from bot.intake import dialogue
from bot.intake.choices import SKIP
from tests.helpers.conversation import Conversation


def test_a_story_first_answers_what_it_says_and_becomes_the_description() -> None:
    c = Conversation()
    story = "My daughter is insulted in class every day because we are returnees"
    asked = c.say(story, intent="report_incident", incident_type="bullying")
    s = c.slots
    assert s["description"] == story and s["incident_type"] == "discrimination"
    assert s["discrimination_ground"] == "displaced" and s["affected"] == "someone_else"
    assert s["reporter_role"] == "parent" and s["incident_time"] == "ongoing"
    assert asked == "school"


def test_a_town_in_an_inflected_form_and_cyrillic_is_the_place() -> None:
    c = Conversation()
    c.say("у Дрвару су ме тукли прошле недеље иза школе", intent="report_incident", incident_type="physical")
    assert c.slots["school"] == "Drvar" and c.slots["municipality_id"] == 5
    assert c.slots["incident_time"] == "earlier" and c.slots["affected"] == "me"


def test_a_threat_in_the_description_is_kept_and_the_form_moves_on() -> None:
    c = Conversation()
    c.say("prijava", intent="report_incident", command="report_incident")
    for text in ("1", "meni", "ucenik", "Livno", "danas"):
        c.say(text)
    asked = c.say(
        "Dva ucenika su me tukla iza skole i prijete da ce opet", intent="urgent_danger", crisis="urgent_danger"
    )
    assert c.slots["description"] == "Dva ucenika su me tukla iza skole i prijete da ce opet"
    assert asked != "description" and c.crises == ["urgent_danger"]
    assert "utter_crisis_danger" in c.replies


def test_a_crisis_at_the_when_question_joins_the_description() -> None:
    c = Conversation()
    c.say("Vrijeđaju me u razredu i guraju na hodniku", intent="report_incident", incident_type="bullying")
    assert c.say("Livno") == "incident_time"
    asked = c.say("sad me čekaju ispred škole s nožem", intent="urgent_danger", crisis="urgent_danger", lexicon=True)
    assert c.slots["description"] == "Vrijeđaju me u razredu i guraju na hodniku\nsad me čekaju ispred škole s nožem"
    assert c.slots["incident_time"] == "today" and c.slots["danger_now"] == "yes"
    assert asked == "contact_ok" and c.crises == ["urgent_danger"]


def test_a_plain_answer_read_as_crisis_by_the_classifier_is_an_answer() -> None:
    c = Conversation()
    c.say("prijavi nesto", intent="report_incident", command="report_incident")
    asked = c.say("he hits me", intent="urgent_danger", crisis="urgent_danger")
    assert c.slots["incident_type"] == "physical" and c.crises == []
    # "What happened?" answered in words is the description too, and says who.
    assert c.slots["description"] == "he hits me" and c.slots["affected"] == "me" and asked == "school"


def test_a_free_answer_is_not_taken_twice_for_another_question() -> None:
    c = Conversation()
    c.say("prijava", intent="report_incident")
    assert c.say("ne znam sta da kazem") == "incident_type"
    assert c.say("ma ne znam ni ja") != "incident_type"  # given up on, never a third time


def test_answers_in_peoples_own_words() -> None:
    c = Conversation()
    c.say("prijava", intent="report_incident")
    c.say("2")
    assert c.say("mojoj kćerki") == "reporter_role" and c.slots["affected"] == "someone_else"
    assert c.say("ja sam mama") == "school" and c.slots["reporter_role"] == "parent"
    c.say("iz Drvara")
    assert c.slots["school"] == "Drvar"
    c.say("svaki tjedan")
    assert c.slots["incident_time"] == "ongoing"
    c.say("Stalno je zadirkuju zbog naočala i skrivaju joj torbu")
    assert c.say("not really, I'm at home now") == "contact_ok" and c.slots["danger_now"] == "no"
    assert c.say("ма да") == "confirm" and c.slots["contact_ok"] == "yes"


def test_skipping_in_words() -> None:
    c = Conversation()
    c.say("prijava", intent="report_incident")
    c.say("2")
    for text in ("i'd rather not say", "ne želim reći", "preskoči", "-"):
        c.say(text)
    assert [c.slots[s] for s in ("affected", "reporter_role", "school", "incident_time")] == [SKIP] * 4


def test_no_question_is_asked_a_third_time() -> None:
    c = Conversation()
    c.say("prijava", intent="report_incident")
    assert c.say("asdf") == "incident_type"
    assert c.say("qwer") == "affected"
    assert c.slots["incident_type"] == "other" and "utter_moving_on" in c.replies


def test_send_words_never_cancel_and_stop_asks_before_discarding() -> None:
    c = Conversation()
    c.say("Jedan učenik je udario mog druga u glavu na stepenicama", intent="report_incident", incident_type="physical")
    for text in ("Livno", "jučer"):
        c.say(text)
    assert c.slots["requested_slot"] == "danger_now"
    assert c.say("Send the report", intent="cancel") == "danger_now"
    assert c.slots.get("confirm") is None
    assert c.say("stop", intent="cancel") == "discard_confirm"
    assert c.say("ne") == "danger_now" and c.slots["description"]
    c.say("stop", intent="cancel")
    assert c.say("da") is None and c.slots["confirm"] == dialogue.CANCEL


def test_the_summary_lets_the_reporter_change_a_field() -> None:
    c = Conversation()
    c.say("Stalno me vrijeđaju u razredu u Livnu", intent="report_incident", incident_type="bullying")
    for text in ("ne", "ne"):
        c.say(text)
    while c.slots["requested_slot"] != "confirm":
        c.say("preskoči")
    assert c.say("promijeni nešto") == "change_field"
    assert c.say("škola") == "school" and c.slots["school"] is None
    assert c.say("Drvar") == "confirm"
    assert c.say("pošalji") is None and c.slots["confirm"] == dialogue.SEND


def test_a_draft_is_offered_again_and_expires_after_a_day() -> None:
    c = Conversation()
    c.say("Stalno me vrijeđaju u razredu", intent="report_incident", incident_type="bullying")
    c.slots["requested_slot"] = None  # the reporter left for the menu
    c.now += 3600
    assert c.say("prijava", intent="report_incident") == "resume_draft"
    assert c.say("da") != "resume_draft" and c.slots["description"] == "Stalno me vrijeđaju u razredu"
    c.slots["requested_slot"] = None
    c.now += 25 * 3600
    asked = c.say("prijava", intent="report_incident")
    assert asked == "incident_type" and c.slots["description"] is None


def test_menu_words_and_other_flows_leave_the_report() -> None:
    c = Conversation()
    c.say("prijava", intent="report_incident")
    c.say("izbornik", intent="help_menu", command="help_menu")
    assert c.left
    c.say("Provjeri prijavu", intent="check_case", command="check_case")
    assert c.left


def test_a_privacy_question_is_answered_and_the_question_asked_again() -> None:
    c = Conversation()
    c.say("prijava", intent="report_incident")
    assert c.say("hoće li direktor znati da sam ja?", intent="ask_privacy") == "incident_type"
    assert c.replies[-1] == "utter_privacy"
    # Asked again and again: answered each time, but the question is not asked a third time.
    assert c.say("a hoće li mama znati?", intent="ask_privacy") != "incident_type"
    assert c.replies[-2:] == ["utter_privacy", "utter_moving_on"]


def _at(question: str, **answered) -> Conversation:
    """A conversation whose report has reached `question`."""
    c = Conversation()
    c.say("prijava", intent="report_incident")
    c.slots.update(
        {
            "incident_type": "physical",
            "affected": "me",
            "reporter_role": "student",
            "school": SKIP,
            "incident_time": "today",
            "description": "tuku me",
            "danger_now": "no",
            "contact_ok": "no",
            **answered,
        }
    )
    for slot in (
        dialogue.REPORT_QUESTIONS[dialogue.REPORT_QUESTIONS.index(question) :]
        if question in dialogue.REPORT_QUESTIONS
        else ()
    ):
        if slot not in answered:
            c.slots[slot] = None
    c.slots["requested_slot"] = question
    return c


def test_a_short_crisis_the_classifier_saw_at_when_stays_a_crisis() -> None:
    c = _at("incident_time")
    c.say("čekaju me ispred škole", intent="urgent_danger", crisis="urgent_danger")
    assert c.crises == ["urgent_danger"] and c.slots["incident_time"] == "today"


def test_help_at_the_danger_question_is_a_yes_and_a_crisis() -> None:
    c = _at("danger_now")
    c.say("Pomoć!", intent="help_menu", command="help_menu")
    assert not c.left and c.slots["danger_now"] == "yes" and c.crises == ["urgent_danger"]


def test_a_crisis_is_danger_now_whatever_else_it_says_and_never_consent() -> None:
    c = _at("contact_ok")
    c.say("Nemoj, on je tu, ima nož, niko nije tu sada", intent="urgent_danger", crisis="urgent_danger", lexicon=True)
    assert c.slots["danger_now"] == "yes" and c.slots["contact_ok"] is None


def test_the_summary_reads_refusals_and_changes_before_send() -> None:
    assert _at("confirm").say("ne šalji prijavu", intent="cancel") == "discard_confirm"
    assert _at("confirm").say("da, ali promijeni školu") == "change_field"
    assert _at("confirm").say("don't send it") == "discard_confirm"
    assert _at("confirm").say("u redu") is None


def test_the_summary_not_understood_keeps_the_report_as_a_draft() -> None:
    c = _at("confirm")
    for text in ("hmm", "xyz", "qwe"):
        asked = c.say(text)
    assert asked is None and c.slots["confirm"] == dialogue.KEEP_AS_DRAFT


def test_refusing_a_question_is_not_stopping_the_report() -> None:
    c = _at("description", description=None)
    assert c.say("ne želim") == "description" and c.slots.get("confirm") is None
    c = _at("contact_ok")
    assert c.say("ne želim") == "confirm" and c.slots["contact_ok"] == "no"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("nema problema", "yes"),
        ("no problem", "yes"),
        ("naravno da ne", "no"),
        ("of course not", "no"),
        ("da li će znati ko sam?", None),
    ],
)
def test_yes_and_no_the_way_people_say_them(typed: str, expected) -> None:
    c = _at("contact_ok")
    c.say(typed, intent="ask_privacy" if expected is None else "inform")
    assert c.slots["contact_ok"] == expected


@pytest.mark.parametrize(
    "typed, command",
    [
        ("izbornik", "help_menu"),
        ("JS-5DXB-FN5M 969119", "check_case"),
        ("Provjeri prijavu", "check_case"),
    ],
)
def test_when_takes_any_words_but_not_menu_words_or_codes(typed: str, command: str) -> None:
    c = _at("incident_time", incident_time=None)
    c.say(typed, intent=command, command=command)
    assert c.left and c.slots["incident_time"] is None


def test_stop_when_asked_to_delete_deletes_and_when_offered_the_draft_starts_again() -> None:
    c = _at("contact_ok")
    assert c.say("stop", intent="cancel") == "discard_confirm"
    assert c.say("stop", intent="cancel") is None and c.slots["confirm"] == dialogue.CANCEL
    c = Conversation()
    c.say("Stalno me vrijeđaju u razredu", intent="report_incident", incident_type="bullying")
    c.slots["requested_slot"] = None
    assert c.say("prijava", intent="report_incident") == "resume_draft"
    c.say("stop", intent="cancel")
    assert c.slots["description"] is None and c.slots.get("confirm") is None


def test_a_story_told_when_the_draft_is_offered_is_kept() -> None:
    c = Conversation()
    c.say("Stalno me vrijeđaju u razredu", intent="report_incident", incident_type="bullying")
    c.slots["requested_slot"] = None
    c.say("Danas su me opet tukli ispred škole u Livnu", intent="report_incident", incident_type="physical")
    c.say("da")
    assert "Danas su me opet tukli" in c.slots["description"] and c.slots["school"] == "Livno"


def test_a_story_at_the_school_question_keeps_the_story_too() -> None:
    c = _at("school", school=None, description=None)
    c.say(
        "U Livnu, jučer su me tukla dvojica iz osmog razreda iza sale",
        intent="report_incident",
        incident_type="physical",
    )
    assert c.slots["school"] == "Livno" and c.slots["description"].startswith("U Livnu")


def test_my_son_said_with_mi_is_someone_else() -> None:
    c = Conversation()
    c.say("Tuku mi sina u školi već mjesecima, ja sam mama", intent="report_incident", incident_type="physical")
    assert c.slots["affected"] == "someone_else" and c.slots["reporter_role"] == "parent"
