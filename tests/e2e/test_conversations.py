"""Whole conversations through the trained model, `rasa run` with our REST channel, the
real action server and a real database, over HTTP."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select, text

from bot.devtools.stack import Stack, http
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case

pytestmark = pytest.mark.model

CODE = re.compile(r"JS-[A-Z0-9]{4}-[A-Z0-9]{4}")
PIN = re.compile(r"\b\d{6}\b")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def button_payloads(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def case_by_code(url: str, code: str) -> Case:
    with session_scope(engine_for(url)) as session:
        return session.scalars(select(Case).where(Case.code == code)).one()


def issued(replies: list[dict]) -> tuple[str, str]:
    body = texts(replies)
    code = CODE.search(body)
    assert code, body
    pin = PIN.search(body.replace(code.group(0), ""))
    assert pin, body
    return code.group(0), pin.group(0)


def test_full_report_in_latin_bcs_with_typed_answers(stack: Stack) -> None:
    me = new_sender()
    assert "Javi se" in texts(stack.say(me, "zdravo"))
    question = stack.say(me, "želim prijaviti nasilje u školi")
    assert "Šta se dogodilo" in texts(question) and len(button_payloads(question)) == 8
    assert "tebi ili nekom drugom" in texts(stack.say(me, "2"))
    stack.say(me, "meni")
    assert "Koja škola" in texts(stack.say(me, "ucenik"))
    stack.say(me, "OS Uzorak 1 Livno")
    stack.say(me, "danas")
    assert "opasnosti" in texts(stack.say(me, "Stalno me zovu pogrdnim imenima i guraju me na hodniku."))
    stack.say(me, "ne")
    confirm = texts(stack.say(me, "ne"))
    assert "Ovo je tvoja prijava" in confirm and "Stalno me zovu" in confirm and "nikad tvoje ime" in confirm
    code, pin = issued(stack.say(me, "pošalji"))
    case = case_by_code(stack.database_url, code)
    assert case.incident_type == "bullying" and case.affected == "me" and case.reporter_role == "student"
    assert case.school_id is not None and case.danger_now == "no" and case.contact_ok is False
    assert case.description.startswith("Stalno me zovu") and case.language == "bcs"


def test_full_report_in_english_with_buttons(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "hello")
    question = stack.say(me, "I want to report bullying")
    assert "What happened?" in texts(question)
    for payload in [
        '/choose{"choice": "discrimination"}',
        '/choose{"choice": "roma"}',
        '/choose{"choice": "someone_else"}',
        '/choose{"choice": "parent"}',
        '/choose{"choice": "Drvar"}',
        '/choose{"choice": "this_week"}',
    ]:
        stack.say(me, payload)
    stack.say(me, "The other kids won't sit next to my son because he is Roma.")
    stack.say(me, '/choose{"choice": "no"}')
    assert "legal aid" in texts(stack.say(me, '/choose{"choice": "yes"}'))
    assert "never your name" in texts(stack.say(me, '/choose{"choice": "yes"}'))
    code, pin = issued(stack.say(me, '/choose{"choice": "send"}'))
    case = case_by_code(stack.database_url, code)
    assert (case.incident_type, case.discrimination_ground, case.reporter_role) == ("discrimination", "roma", "parent")
    assert case.school_id is None and case.municipality_id is not None and case.contact_ok is True
    assert case.language == "en" and case.legal_aid_ok is True
    with session_scope(engine_for(stack.database_url)) as session:
        reasons = {r.reason: r.status for r in session.get(Case, case.id).referrals}
    assert reasons.get("discrimination_legal_aid") in ("pending", "alerted")  # with consent
    assert "no_school" in reasons  # no school named: the cantonal coordinator


def test_cyrillic_writer_is_answered_in_cyrillic(stack: Stack) -> None:
    me = new_sender()
    greeting = texts(stack.say(me, "Здраво"))
    assert CYRILLIC.search(greeting) and "Јави се" in greeting
    question = stack.say(me, "хоћу да пријавим насиље")
    assert "Шта се догодило" in texts(question)
    assert CYRILLIC.search(question[-1]["buttons"][0]["title"])
    for answer in ["1", "мени", "ученик", "прескочи", "данас", "Тукли су ме после часа.", "не", "не"]:
        replies = stack.say(me, answer)
        assert CYRILLIC.search(texts(replies)), (answer, replies)
    code, pin = issued(stack.say(me, "пошаљи"))
    assert case_by_code(stack.database_url, code).script == "cyrillic"


def test_skipping_optional_questions_and_cancelling(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "hoću nešto prijaviti")
    stack.say(me, '/choose{"choice": "cyberbullying"}')
    stack.say(me, '/choose{"choice": "skipped"}')  # affected
    assert "Koja škola" in texts(stack.say(me, '/choose{"choice": "skipped"}'))  # role
    assert "Kada se to desilo" in texts(stack.say(me, "preskoči"))  # school
    assert "obrisati" in texts(stack.say(me, "odustajem"))  # the type is answered: ask first
    replies = stack.say(me, "da")
    assert "Ništa više nije poslano" in texts(replies)
    # After cancelling, the conversation is free again.
    assert "Šta se dogodilo" in texts(stack.say(me, "želim prijaviti zlostavljanje"))


def test_crisis_in_the_middle_of_the_form(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "I want to report something that happened")
    stack.say(me, "1")
    replies = stack.say(me, "they have a knife and they are waiting for me outside right now")
    body = texts(replies)
    assert "122" in body and "124" in body
    assert "go on with your report" in body
    # The words are kept (they say it happened to the writer, a student), and the form goes on.
    assert "Which school" in body
    with session_scope(engine_for(stack.database_url)) as session:
        critical = session.scalars(select(Case).where(Case.severity == "critical")).all()
        assert any(c.incident_type == "physical" and c.crisis_kind == "urgent_danger" for c in critical)


def test_self_harm_at_the_start_then_report(stack: Stack) -> None:
    me = new_sender()
    body = texts(stack.say(me, "ne želim više živjeti"))
    assert "080 05 03 05" in body and "124" in body
    assert "Šta se dogodilo" in texts(stack.say(me, "/affirm"))


def test_check_case_right_wrong_and_lockout(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "želim prijaviti nasilje")
    for answer in [
        '/choose{"choice": "physical"}',
        "preskoči",
        "preskoči",
        "preskoči",
        "preskoči",
        "Udario me stariji učenik.",
        "ne",
        "ne",
    ]:
        stack.say(me, answer)
    code, pin = issued(stack.say(me, "pošalji"))

    other = new_sender()
    assert "kod prijave" in texts(stack.say(other, "želim provjeriti svoju prijavu"))
    assert "PIN" in texts(stack.say(other, code.lower()))
    status = texts(stack.say(other, pin))
    assert code in status and "primljena" in status

    wrong = "000000" if pin != "000000" else "111111"
    guesser = new_sender()
    answers = []
    for _ in range(5):
        stack.say(guesser, "/check_case")
        stack.say(guesser, code)
        answers.append(texts(stack.say(guesser, wrong)))
    assert all("nisu tačni" in a for a in answers[:4]) and "15 minuta" in answers[4]
    stack.say(guesser, "/check_case")
    stack.say(guesser, code)
    assert "15 minuta" in texts(stack.say(guesser, pin))  # the case itself is locked too


@pytest.mark.parametrize(
    "message",
    [
        "",
        "a" * 5000,
        "🙂🙂🙂",
        "1234567",
        "Здраво hello šta ima",
        "   ",
        "/nonexistent_intent",
    ],
)
def test_odd_messages_get_a_sensible_reply(stack: Stack, message: str) -> None:
    replies = stack.say(new_sender(), message)
    assert replies and all(r.get("text") or r.get("buttons") for r in replies)


def test_malformed_requests_get_400(stack: Stack) -> None:
    assert http("POST", stack.webhook, b"not json")[0] == 400
    assert http("POST", stack.webhook, b'{"message": "hi"}')[0] == 400
    assert http("POST", stack.webhook, b'{"sender": "x", "message": 5}')[0] == 400
    assert http("POST", stack.webhook, b"[1, 2]")[0] == 400


def test_conversations_are_stored_in_the_database(stack: Stack) -> None:
    me = new_sender()
    stack.say(me, "zdravo")
    with engine_for(stack.database_url).connect() as connection:
        rows = connection.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": me}).scalar()
    assert rows > 0


def test_action_server_down_gets_an_apology_with_emergency_numbers(stack: Stack, stack_without_actions: Stack) -> None:
    me = new_sender()
    stack.say(me, "I want to report something")  # started on the healthy stack
    replies = stack_without_actions.say(me, '/choose{"choice": "bullying"}')
    body = texts(replies)
    assert "Sorry" in body and "122" in body and "124" in body
    # The crisis answer needs no action server at all.
    crisis = texts(stack_without_actions.say(new_sender(), "želim se ubiti"))
    assert "080 05 03 05" in crisis
