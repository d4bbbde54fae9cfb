"""Reports in people's own words, over the real stack (trained model, `rasa run`, the
action server, a real database): each behaviour of issue 8 in one conversation, in BCS
Latin, Cyrillic and English where it applies, typed as people type, not with payloads."""

from __future__ import annotations

import re

import pytest

from bot.devtools.channel_client import post_sms, wait_sms
from bot.devtools.stack import Stack

from .test_conversations import CYRILLIC, case_by_code, issued, new_sender, texts

pytestmark = pytest.mark.model

EMERGENCY = ("122", "124")


def _until_summary(stack: Stack, me: str, answers: dict[str, str], skip: str = "preskoči", limit: int = 12) -> str:
    """Answer whatever is asked (by the question's words) until the summary shows."""
    body = ""
    for _ in range(limit):
        if "prijava:" in body or "your report:" in body or "пријава:" in body:
            return body
        question = next((q for q in answers if q in body), None)
        body = texts(stack.say(me, answers[question] if question else skip))
    raise AssertionError(f"no summary: {body}")


@pytest.mark.parametrize(
    "story, words, skip, send",
    [
        ("Dva ucenika su me tukla iza skole i prijete da ce opet", "Dva ucenika su me tukla", "preskoči", "pošalji"),
        ("Два ученика су ме тукла иза школе и пријете да ће опет", "Два ученика", "прескочи", "пошаљи"),
        ("A boy hits me every day and says he will beat me up again tomorrow", "A boy hits me", "skip", "send"),
    ],
)
def test_a_threat_in_the_description_is_kept_and_the_form_moves_on(
    stack: Stack, story: str, words: str, skip: str, send: str
) -> None:
    me = new_sender()
    stack.say(me, "prijava")
    for answer in ("1", "meni", "ucenik", "Livno", "danas"):
        stack.say(me, answer)
    after = texts(stack.say(me, story))
    assert "svojim riječima" not in after and "own words" not in after and "својим ријечима" not in after
    summary = _until_summary(
        stack,
        me,
        {
            "opasnosti": "ne",
            "danger": "no",
            "опасности": "не",
            "odgovoriti": "ne",
            "write back": "no",
            "одговорити": "не",
        },
        skip,
    )
    assert words in summary
    code, _ = issued(stack.say(me, send))
    case = case_by_code(stack.database_url, code)
    assert case.description == story and case.severity in ("high", "critical")


def test_the_first_story_counts_and_only_the_rest_is_asked(stack: Stack) -> None:
    me = new_sender()
    story = "My daughter is insulted in class every day because we are returnees"
    first = texts(stack.say(me, story))
    assert "What happened" not in first and "to you or to someone else" not in first
    assert "Which school" in first
    stack.say(me, "in Drvar")
    stack.say(me, "not really, we are at home now")  # danger now
    assert "legal aid" in texts(stack.say(me, "sure"))
    summary = texts(stack.say(me, "ok"))
    assert "Here is your report" in summary and "Drvar" in summary and "Parent" in summary
    code, _ = issued(stack.say(me, "Send the report"))
    case = case_by_code(stack.database_url, code)
    assert case.description == story and case.incident_type == "discrimination"
    assert case.discrimination_ground == "displaced" and case.affected == "someone_else"
    assert case.reporter_role == "parent" and case.incident_time == "ongoing"
    assert case.municipality_id is not None and case.danger_now == "no" and case.contact_ok is True


def test_a_story_in_cyrillic_names_the_town_inflected(stack: Stack) -> None:
    me = new_sender()
    replies = texts(stack.say(me, "у Дрвару су ме тукли прошле недеље иза школе, двојица из осмог"))
    assert CYRILLIC.search(replies) and "Која школа" not in replies
    summary = _until_summary(stack, me, {"опасности": "не", "одговорити": "може"})
    assert "Дрвар" in summary and CYRILLIC.search(summary)
    code, _ = issued(stack.say(me, "пошаљи"))
    case = case_by_code(stack.database_url, code)
    assert case.incident_time == "earlier" and case.affected == "me" and case.script == "cyrillic"


def test_a_crisis_at_the_when_question_is_answered_kept_and_alerted(stack: Stack) -> None:
    me = new_sender()
    assert "Koja škola" in texts(stack.say(me, "Vrijeđaju me u razredu i guraju na hodniku"))
    assert "Kada se to desilo" in texts(stack.say(me, "Livno"))
    crisis = texts(stack.say(me, "sad me čekaju ispred škole s nožem"))
    assert all(n in crisis for n in EMERGENCY)
    # "Now" answers "when" and "is anyone in danger now?": neither is asked.
    assert "Kada se to desilo" not in crisis and "Je li neko sada u opasnosti" not in crisis
    again = texts(stack.say(me, "i dalje su ispred škole s nožem"))
    assert all(n in again for n in EMERGENCY) and len(again) < len(crisis)  # a one-line reminder
    summary = _until_summary(stack, me, {"odgovoriti": "ne"})
    code, _ = issued(stack.say(me, "pošalji"))
    case = case_by_code(stack.database_url, code)
    assert case.severity == "critical" and "sad me čekaju ispred škole s nožem" in case.description
    assert case.description.startswith("Vrijeđaju me") and "Danas" in summary


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Prijavi nešto", "Šta se dogodilo"),
        ("prijavi nesto", "Šta se dogodilo"),
        ("ПРИЈАВИ НЕШТО", "Шта се догодило"),
        ("prijava", "Šta se dogodilo"),
        ("report", "What happened"),
        ("Provjeri prijavu", "kod prijave"),
        ("check my report", "case code"),
        ("pomoć", "Evo šta mogu"),
        ("help", "Here is what I can do"),
    ],
)
def test_the_menus_words_typed_start_the_right_flow(stack: Stack, typed: str, expected: str) -> None:
    assert expected in texts(stack.say(new_sender(), typed))


def test_code_and_pin_in_one_message_and_a_report_from_the_check(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "Udario me stariji učenik na odmoru u Kupresu")
    summary = _until_summary(stack, me, {"opasnosti": "ne", "odgovoriti": "ne", "Kada": "jučer"})
    code, pin = issued(stack.say(me, "pošalji"))
    assert "Kupres" in summary
    for typed in (f"{code} {pin}", f"{code.lower().replace('-', '')} {pin}", f"checking my report {code} pin {pin}"):
        status = texts(stack.say(new_sender(), typed))
        assert code in status, typed
    other = new_sender()
    assert "kod prijave" in texts(stack.say(other, "Provjeri prijavu"))
    switched = texts(stack.say(other, "Dva ucenika su me tukla iza skole u Glamocu"))
    assert "kod prijave" not in switched and "To ne izgleda kao kod" not in switched
    # The story told during the check is the new report's description.
    summary = _until_summary(stack, other, {"opasnosti": "ne", "odgovoriti": "ne", "Kada": "danas"})
    assert "Dva ucenika su me tukla" in summary and "Glamoč" in summary
    during_report = new_sender()
    stack.say(during_report, "prijava")
    assert code in texts(stack.say(during_report, f"{code} {pin}"))  # the check reads the code


def test_skipping_in_words_and_no_question_a_third_time(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "prijava")
    stack.say(me, "2")
    asked = [texts(stack.say(me, text)) for text in ("ne želim reći", "ne bih rekla", "-")]
    assert "Koja škola" in asked[1] and "Kada" in asked[2]
    first = texts(stack.say(me, "prije par dana valjda"))  # "when" takes any words
    assert "Opiši" in first
    stack.say(me, "Zadirkuju me zbog naočala.")
    nonsense = [texts(stack.say(me, text)) for text in ("hmm", "xyz")]
    assert "opasnosti" in nonsense[0] and "opasnosti" not in nonsense[1]  # moved on


def test_send_words_never_cancel_and_stop_asks_first(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "Jedan učenik je udario mog druga u glavu na stepenicama u Livnu jučer")
    at_danger = texts(stack.say(me, "Send the report"))
    assert "Nothing more was sent" not in at_danger and "Ništa više nije poslano" not in at_danger
    ask = texts(stack.say(me, "stop"))
    assert "obrisati" in ask or "delete" in ask
    kept = texts(stack.say(me, "ne"))
    assert "poslano" not in kept


def test_a_draft_left_for_the_menu_is_finished_later(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "Stalno me ismijavaju u razredu jer sam Romkinja")
    left = texts(stack.say(me, "izbornik"))
    assert "24" in left and "Evo šta mogu" in left
    offer = texts(stack.say(me, "Prijavi nešto"))
    assert "završiti" in offer
    summary = _until_summary(
        stack,
        me,
        {"završiti": "da", "Koja škola": "Tomislavgrad", "opasnosti": "ne", "odgovoriti": "ne", "pravna": "ne"},
    )
    assert "Stalno me ismijavaju" in summary
    code, _ = issued(stack.say(me, "pošalji"))
    case = case_by_code(stack.database_url, code)
    assert case.description == "Stalno me ismijavaju u razredu jer sam Romkinja"
    assert case.incident_type == "discrimination" and case.discrimination_ground == "roma"


def test_the_summary_lets_the_reporter_change_the_school(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "they keep pushing me in the hallway at school in Livno")
    summary = _until_summary(stack, me, {"When": "this week", "danger": "no", "write back": "no"}, skip="skip")
    assert "Livno" in summary
    assert "What would you like to change" in texts(stack.say(me, "change something"))
    assert "Which school" in texts(stack.say(me, "the school"))
    changed = texts(stack.say(me, "Drvar"))
    assert "Where: Drvar" in changed and "Where: Livno" not in changed
    code, _ = issued(stack.say(me, "send it"))
    assert case_by_code(stack.database_url, code).municipality_id is not None


def test_sms_numbered_options_and_typed_answers_reach_the_same_report(stack: Stack) -> None:
    phone = "+38763555777"
    sent = 0

    def say(body: str) -> str:
        nonlocal sent
        status, _ = post_sms(stack, phone, body)
        assert status == 200
        replies = wait_sms(stack, phone, sent + 1)
        sent = len(replies)
        return replies[-1]["Body"]

    question = say("prijava")
    assert re.search(r"^1\b", question, flags=re.M)  # numbered options on their own lines
    say("3")  # cyberbullying
    say("meni")
    say("1")  # student
    say("5")  # Drvar, the fifth town
    say("ove sedmice")
    say("Objavili su moju sliku u grupi na Viberu i pisu ruzne komentare.")
    say("2")  # no danger
    summary = say("ne")
    assert "Drvar" in summary
    code = re.search(r"JS-[A-Z0-9]{4}-[A-Z0-9]{4}", say("1")).group(0)  # 1: send
    case = case_by_code(stack.database_url, code)
    assert (case.incident_type, case.affected, case.reporter_role) == ("cyberbullying", "me", "student")
    assert case.description.startswith("Objavili su moju sliku") and case.channel in ("sms", "twilio")
