"""The anonymous thread: staff messages that go out or wait for check-in, the follow-up
window, the reporter's answers reaching staff, status changes and closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.alerts.acknowledgement import acknowledge
from bot.cases.vocabulary import OUTCOMES
from bot.followup import thread as followup
from bot.followup.texts import reporter_text
from bot.storage.models import Case, CaseMessage, FollowupWindow, OutboxMessage, Responder
from tests.helpers.cases import T0, contactable, events, responder, routed, to_reporter


def staff_messages(session, case: Case) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Responder.code, OutboxMessage.body)
        .join(OutboxMessage, OutboxMessage.responder_id == Responder.id)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.kind == "staff_message")
        .order_by(OutboxMessage.id)
    )
    return [(code, body) for code, body in rows]


# --- staff to reporter ----------------------------------------------------------------------


def test_a_reply_waits_for_check_in_when_the_reporter_has_no_channel(session) -> None:
    case = routed(session, incident_type="bullying")
    outcome, found = followup.staff_reply(
        session, case.code.lower(), responder(session, "livno-os-1-pedagogue"), "  Dođi sutra.  "
    )
    assert (outcome, found) == ("waiting", case)
    [message] = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id))
    assert (message.direction, message.body, message.read_at) == ("to_reporter", "Dođi sutra.", None)
    assert message.responder_id == responder(session, "livno-os-1-pedagogue").id
    assert to_reporter(session, case) == []
    [event] = events(session, case, "staff_message")
    assert (event.actor, event.body, event.visible_to_reporter) == (
        "livno-os-1-pedagogue",
        f"message {message.id}",
        False,
    )


def test_a_reply_goes_out_when_the_reporter_agreed_to_contact(session) -> None:
    case = routed(session, incident_type="bullying", language="en")
    contactable(session, case)
    outcome, _ = followup.staff_reply(
        session, case.code, responder(session, "livno-os-1-pedagogue"), "Can we talk tomorrow?"
    )
    assert outcome == "sent"
    [row] = to_reporter(session, case)
    message = session.scalars(select(CaseMessage)).one()
    assert (row.kind, row.dedupe_key, row.responder_id) == ("reporter_message", f"message:{message.id}", None)
    assert row.body == reporter_text("staff_message", "en", "latin", code=case.code, text="Can we talk tomorrow?")
    assert "555000111" not in row.body


def test_a_reply_is_refused_to_staff_without_the_case_and_when_empty(session) -> None:
    case = routed(session, incident_type="bullying")
    assert (
        followup.staff_reply(session, case.code, responder(session, "livno-os-2-pedagogue"), "Hello")[0]
        == "unknown_case"
    )
    assert followup.staff_reply(session, "JS-2222-3333", responder(session, "k10-coordinator"), "Hello") == (
        "unknown_case",
        None,
    )
    assert (
        followup.staff_reply(session, case.code, responder(session, "livno-os-1-pedagogue"), "   ")[0] == "unknown_case"
    )
    assert session.scalars(select(CaseMessage)).all() == []


def test_legal_aid_cannot_write_to_a_reporter_who_did_not_agree_to_it(session) -> None:
    case = routed(session, incident_type="discrimination", discrimination_ground="roma", legal_aid_ok=False)
    assert (
        followup.staff_reply(session, case.code, responder(session, "legal-aid-mobile"), "Hello")[0] == "unknown_case"
    )


def test_the_coordinator_may_write_on_any_case(session) -> None:
    case = routed(session, school="kupres-ss-1", incident_type="bullying")
    assert followup.staff_reply(session, case.code, responder(session, "k10-coordinator"), "Hello")[0] == "waiting"


def test_check_in_takes_the_unread_messages_once(session) -> None:
    case = routed(session, incident_type="bullying")
    pedagogue = responder(session, "livno-os-1-pedagogue")
    followup.staff_reply(session, case.code, pedagogue, "Prva poruka")
    followup.staff_reply(session, case.code, pedagogue, "Druga poruka")
    later = T0 + timedelta(days=1)
    assert followup.take_unread(session, case, later) == ["Prva poruka", "Druga poruka"]
    assert followup.take_unread(session, case, later) == []
    assert {m.read_at for m in session.scalars(select(CaseMessage))} == {later}


def test_delivery_marks_the_message_read_and_opens_the_window(session) -> None:
    case = routed(session, incident_type="bullying")
    contactable(session, case, "conv-delivered")
    followup.staff_reply(session, case.code, responder(session, "livno-os-1-pedagogue"), "Hej")
    now = T0 + timedelta(hours=1)
    followup.mark_delivered(session, case.id, now)
    message = session.scalars(select(CaseMessage)).one()
    assert message.delivered_at == message.read_at == now
    window = session.get(FollowupWindow, "conv-delivered")
    assert window.case_id == case.id and window.expires_at == now + timedelta(hours=24)
    assert followup.take_unread(session, case, now) == []


def test_delivery_of_one_message_leaves_a_later_one_unread(session) -> None:
    case = routed(session, incident_type="bullying")
    contactable(session, case)
    pedagogue = responder(session, "livno-os-1-pedagogue")
    followup.staff_reply(session, case.code, pedagogue, "Prva")
    followup.staff_reply(session, case.code, pedagogue, "Druga")
    first = to_reporter(session, case)[0]
    followup.mark_delivered(session, case.id, T0, message_id=followup.message_id_of(first.dedupe_key))
    # The second one's send may still fail: the reporter must find it at check-in.
    assert followup.take_unread(session, case, T0) == ["Druga"]


def test_no_window_without_a_contact_conversation(session) -> None:
    case = routed(session, incident_type="bullying")
    followup.staff_reply(session, case.code, responder(session, "livno-os-1-pedagogue"), "Hej")
    followup.mark_delivered(session, case.id, T0)
    assert session.scalars(select(FollowupWindow)).all() == []


def test_the_thread_is_open_for_24_hours(session) -> None:
    case = routed(session, incident_type="bullying", language="en", script="latin")
    followup.open_window(session, "conv-open", case.id, T0)
    session.flush()
    thread = followup.open_thread(session, "conv-open", T0 + timedelta(hours=23, minutes=59))
    assert thread == followup.OpenThread(case.id, case.code, "en", "latin")
    assert followup.open_thread(session, "conv-open", T0 + timedelta(hours=24, seconds=1)) is None
    assert followup.open_thread(session, "conv-other", T0) is None


def test_a_new_window_moves_the_conversation_to_the_newer_case(session) -> None:
    older = routed(session, incident_type="bullying")
    newer = routed(session, incident_type="physical")
    followup.open_window(session, "conv-x", older.id, T0)
    session.flush()
    followup.open_window(session, "conv-x", newer.id, T0 + timedelta(hours=30))
    session.flush()
    thread = followup.open_thread(session, "conv-x", T0 + timedelta(hours=31))
    assert thread is not None and thread.case_id == newer.id


def test_closing_the_window_or_the_case_ends_the_thread(session) -> None:
    case = routed(session, incident_type="bullying")
    followup.open_window(session, "conv-a", case.id, T0)
    followup.open_window(session, "conv-b", case.id, T0)
    session.flush()
    followup.close_window(session, "conv-a")
    assert followup.open_thread(session, "conv-a", T0) is None
    assert followup.open_thread(session, "conv-b", T0) is not None
    followup.close_case(session, case, "acted_on", "livno-os-1-pedagogue", T0 + timedelta(hours=1))
    assert followup.open_thread(session, "conv-b", T0 + timedelta(hours=2)) is None


# --- reporter to staff ----------------------------------------------------------------------


def test_an_answer_goes_to_the_owner_only(session) -> None:
    case = routed(session, incident_type="physical", danger_now="yes")
    acknowledge(session, case.code, responder(session, "livno-os-1-principal"), "test", T0)
    followup.reporter_answer(session, case.id, "  Opet se desilo danas.  ")
    message = session.scalars(select(CaseMessage).where(CaseMessage.direction == "from_reporter")).one()
    assert message.body == "Opet se desilo danas."
    [(code, body)] = staff_messages(session, case)
    assert code == "livno-os-1-principal"
    assert body == (
        f"Odgovor osobe koja je prijavila ({case.code}):\nOpet se desilo danas.\n"
        f"Odgovor šaljete s /reply {case.code} i tekstom poruke."
    )
    [event] = events(session, case, "reporter_message")
    assert (event.actor, event.body) == ("reporter", f"message {message.id}")


def test_without_an_owner_an_answer_goes_to_everyone_alerted_in_the_chain(session) -> None:
    case = routed(session, incident_type="home", crisis_kind="self_harm")
    responder(session, "livno-os-1-principal").language = "en"
    followup.reporter_answer(session, case.id, "Thank you")
    codes = [code for code, _ in staff_messages(session, case)]
    # The counsellor, the principal and the Red Cross team; not the services outside the chain.
    assert codes == ["livno-os-1-pedagogue", "livno-os-1-principal", "red-cross-duty-livno"]
    english = dict(staff_messages(session, case))["livno-os-1-principal"]
    assert english.startswith(f"Answer from the reporter ({case.code}):\nThank you\n")


def test_each_answer_reaches_each_person_once(session) -> None:
    case = routed(session, incident_type="bullying")
    followup.reporter_answer(session, case.id, "Prvi odgovor")
    followup.reporter_answer(session, case.id, "Drugi odgovor")
    assert [code for code, _ in staff_messages(session, case)] == ["livno-os-1-pedagogue"] * 2
    assert [body.splitlines()[1] for _, body in staff_messages(session, case)] == ["Prvi odgovor", "Drugi odgovor"]


# --- status and closing ---------------------------------------------------------------------


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_closing_tells_the_reporter_the_matching_sentence(session, outcome: str) -> None:
    case = routed(session, incident_type="threats", language="en")
    contactable(session, case)
    now = T0 + timedelta(days=2)
    followup.close_case(session, case, outcome, "livno-os-1-pedagogue", now)
    assert (case.status, case.outcome, case.closed_at, case.ack_deadline_at) == ("closed", outcome, now, None)
    sentence = reporter_text(f"outcome_{outcome}", "en", "latin", code=case.code)
    [notice] = events(session, case, "reporter_notice")
    assert notice.visible_to_reporter and notice.body == sentence
    assert [row.body for row in to_reporter(session, case)] == [sentence]
    [closed] = events(session, case, "closed")
    assert (closed.body, closed.actor) == (outcome, "livno-os-1-pedagogue")


def test_the_outcome_sentences_differ(session) -> None:
    sentences = {reporter_text(f"outcome_{o}", "bcs", "latin", code="JS-X") for o in OUTCOMES}
    assert len(sentences) == len(OUTCOMES)


def test_an_unknown_outcome_is_refused_and_changes_nothing(session) -> None:
    case = routed(session, incident_type="threats")
    with pytest.raises(ValueError, match="unknown outcome 'solved'"):
        followup.close_case(session, case, "solved", "k10-coordinator", T0)
    assert case.status == "new" and case.closed_at is None and case.ack_deadline_at is not None
    assert events(session, case, "closed") == [] and events(session, case, "reporter_notice") == []


def test_in_progress_is_told_to_the_reporter(session) -> None:
    case = routed(session, incident_type="threats", script="cyrillic")
    followup.set_in_progress(session, case, "livno-os-1-pedagogue")
    assert case.status == "in_progress"
    [notice] = events(session, case, "reporter_notice")
    assert notice.body == reporter_text("status_in_progress", "bcs", "cyrillic", code=case.code)
    assert notice.body.startswith("Пријава ")


def test_a_reporter_who_sent_stop_is_not_written_to(session) -> None:
    from bot.storage.models import ChannelState

    case = routed(session, incident_type="bullying")
    contactable(session, case, conversation="conv-stop", channel="sms", address="+38761555002")
    session.add(ChannelState(conversation_id="conv-stop", menu_json="[]", opted_out=True))
    session.flush()
    outcome, _ = followup.staff_reply(session, case.code, responder(session, "livno-os-1-pedagogue"), "Jesi li dobro?")
    assert outcome == "waiting" and to_reporter(session, case) == []
