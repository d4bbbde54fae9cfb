"""Acknowledging a case: who may, who becomes its owner, what the reporter is told, and
what a second acknowledgement says."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.alerts.acknowledgement import acknowledge
from bot.followup.texts import reporter_text
from bot.followup.thread import close_case
from bot.privacy import reporter_addresses
from bot.storage.models import Case, ChannelState
from tests.helpers.cases import T0, contactable, events, referral, referrals, responder, routed, to_reporter

LATER = T0 + timedelta(minutes=4)


def ack(session, case: Case, code: str, typed: str | None = None):  # type: ignore[no-untyped-def]
    return acknowledge(session, typed or case.code, responder(session, code), "test", LATER)


def test_the_first_in_the_chain_to_acknowledge_owns_the_case(session) -> None:
    case = routed(session, incident_type="threats")
    result = ack(session, case, "livno-os-1-pedagogue")
    assert (result.outcome, result.code, result.owner_name) == ("acknowledged", case.code, "Uzorak Pedagog Livno OŠ 1")
    assert case.owner.code == "livno-os-1-pedagogue" and case.status == "acknowledged"
    assert case.acknowledged_at == LATER and case.ack_deadline_at is None
    pedagogue = referral(session, case, "livno-os-1-pedagogue")
    assert pedagogue.status == "acknowledged" and pedagogue.acknowledged_at == LATER
    [event] = events(session, case, "acknowledged")
    assert (event.actor, event.body, event.visible_to_reporter) == ("livno-os-1-pedagogue", "via test", False)


def test_the_reporter_is_told_at_check_in_without_a_contact_channel(session) -> None:
    case = routed(session, incident_type="threats", language="en")
    ack(session, case, "livno-os-1-pedagogue")
    [notice] = events(session, case, "reporter_notice")
    assert notice.visible_to_reporter
    assert notice.body == f"A counsellor has seen your report {case.code}. Thank you for speaking up."
    assert to_reporter(session, case) == []


def test_a_requested_but_unfilled_contact_is_no_channel(session) -> None:
    case = routed(session, incident_type="threats")
    reporter_addresses.request_contact(session, "conv-unfilled", case.id)
    ack(session, case, "livno-os-1-pedagogue")
    assert to_reporter(session, case) == []


def test_a_reporter_who_agreed_to_contact_gets_the_notice_through_the_outbox(session) -> None:
    case = routed(session, incident_type="threats", script="cyrillic")
    contactable(session, case)
    ack(session, case, "livno-os-1-pedagogue")
    [row] = to_reporter(session, case)
    expected = reporter_text("acknowledged", "bcs", "cyrillic", code=case.code)
    assert row.body == expected and case.code in expected and "Хвала" in expected
    assert (row.kind, row.responder_id, row.referral_id) == ("reporter_notice", None, None)
    assert row.dedupe_key == f"notice:{events(session, case, 'reporter_notice')[0].id}"


def _crisis(session, **fields) -> Case:  # type: ignore[no-untyped-def]
    return routed(session, crisis_kind="urgent_danger", severity="critical", **fields)


@pytest.mark.parametrize(
    "language, script, words",
    [
        ("bcs", "latin", "Odrasla osoba iz škole"),
        ("bcs", "cyrillic", "Одрасла особа из школе"),
        ("en", "latin", "An adult from the school"),
    ],
)
def test_an_acknowledged_crisis_tells_the_child_an_adult_has_seen_it_without_consent(
    session, language: str, script: str, words: str
) -> None:
    case = _crisis(session, language=language, script=script)
    contactable(session, case, purpose=reporter_addresses.CRISIS_SEEN)
    ack(session, case, "livno-os-1-pedagogue")
    [row] = to_reporter(session, case)
    assert row.kind == "crisis_seen" and row.body.startswith(words) and "122" in row.body
    assert reporter_addresses.address_for_case(session, case.id, reporter_addresses.CRISIS_SEEN) == (
        "telegram",
        "555000111",
    )


def test_a_service_acknowledging_a_crisis_is_not_called_the_school(session) -> None:
    case = _crisis(session, school=None)
    contactable(session, case, purpose=reporter_addresses.CRISIS_SEEN)
    ack(session, case, "k10-coordinator")
    [row] = to_reporter(session, case)
    assert row.body.startswith("Odrasla osoba koja može pomoći")


def test_a_crisis_address_carries_no_other_message(session) -> None:
    case = _crisis(session)
    contactable(session, case, purpose=reporter_addresses.CRISIS_SEEN)
    assert reporter_addresses.address_for_case(session, case.id) is None
    assert reporter_addresses.conversation_for_case(session, case.id) is None
    close_case(session, case, "acted_on", "test", T0)  # told at check-in only
    assert to_reporter(session, case) == []


def test_consent_to_follow_up_widens_a_crisis_address(session) -> None:
    case = _crisis(session)
    contactable(session, case, purpose=reporter_addresses.CRISIS_SEEN)
    reporter_addresses.request_contact(session, "conv-1", case.id)  # the report that followed
    assert reporter_addresses.address_for_case(session, case.id) == ("telegram", "555000111")
    reporter_addresses.request_contact(session, "conv-1", case.id, purpose=reporter_addresses.CRISIS_SEEN)
    assert reporter_addresses.address_for_case(session, case.id) is not None  # never narrowed


def test_a_child_who_sent_stop_hears_nothing(session) -> None:
    case = _crisis(session)
    contactable(session, case, purpose=reporter_addresses.CRISIS_SEEN)
    session.add(ChannelState(conversation_id="conv-1", menu_json="[]", opted_out=True))
    session.flush()
    ack(session, case, "livno-os-1-pedagogue")
    assert to_reporter(session, case) == []
    assert events(session, case, "reporter_notice")  # still shown at a check-in


def test_a_second_acknowledgement_says_who_has_it(session) -> None:
    case = routed(session, incident_type="physical", danger_now="yes")
    contactable(session, case)
    ack(session, case, "livno-os-1-principal")
    again = ack(session, case, "livno-os-1-principal")
    other = ack(session, case, "livno-os-1-pedagogue")
    assert (again.outcome, again.owner_name) == ("already", "Uzorak Direktor Livno OŠ 1")
    assert (other.outcome, other.owner_name) == ("already", "Uzorak Direktor Livno OŠ 1")
    assert case.owner.code == "livno-os-1-principal"
    assert case.acknowledged_at == LATER
    assert referral(session, case, "livno-os-1-pedagogue").status == "acknowledged"
    assert len(events(session, case, "acknowledged")) == 1
    assert len(events(session, case, "reporter_notice")) == 1 and len(to_reporter(session, case)) == 1


def test_a_typed_code_is_forgiving(session) -> None:
    case = routed(session, incident_type="bullying")
    typed = case.code.lower().replace("-", " ")
    assert ack(session, case, "livno-os-1-pedagogue", typed=typed).code == case.code


def test_a_counsellor_of_the_school_may_take_the_case_before_escalation_reaches_them(session) -> None:
    # bot.cases.access: counsellors see their school's cases, alerted or not.
    case = routed(session, incident_type="threats")
    assert "livno-os-1-psychologist" not in referrals(session, case)
    result = ack(session, case, "livno-os-1-psychologist")
    assert result.outcome == "acknowledged" and case.owner.code == "livno-os-1-psychologist"


def test_a_service_acknowledges_its_referral_only(session) -> None:
    case = routed(session, incident_type="discrimination", discrimination_ground="ethnicity", legal_aid_ok=True)
    first = ack(session, case, "legal-aid-mobile")
    assert (first.outcome, first.code) == ("acknowledged", case.code)
    assert referral(session, case, "legal-aid-mobile").status == "acknowledged"
    assert case.owner is None and case.acknowledged_at is None and case.ack_deadline_at is not None
    assert case.status == "new" and events(session, case, "reporter_notice") == []
    [event] = events(session, case, "acknowledged_referral")
    assert event.actor == "legal-aid-mobile"
    again = ack(session, case, "legal-aid-mobile")
    assert again.outcome == "already"
    # The counsellor still owns the case when they acknowledge.
    assert ack(session, case, "livno-os-1-pedagogue").outcome == "acknowledged"
    assert case.owner.code == "livno-os-1-pedagogue"


@pytest.mark.parametrize("consent", [None, False])
def test_a_service_the_reporter_did_not_agree_to_cannot_act_on_the_case(session, consent) -> None:
    case = routed(session, incident_type="discrimination", discrimination_ground="roma", legal_aid_ok=consent)
    result = ack(session, case, "legal-aid-mobile")
    assert result.outcome == "unknown_case"
    assert referral(session, case, "legal-aid-mobile").status in ("awaiting_consent", "declined")


@pytest.mark.parametrize("who", ["livno-os-2-pedagogue", "red-cross-duty-livno", "police-k10"])
def test_someone_of_another_school_or_an_unreferred_service_gets_unknown_case(session, who: str) -> None:
    case = routed(session, incident_type="bullying")
    result = ack(session, case, who)
    assert (result.outcome, result.code, result.owner_name) == ("unknown_case", case.code, None)
    assert case.acknowledged_at is None and events(session, case, "acknowledged_referral") == []


def test_an_unknown_code_is_unknown(session) -> None:
    result = acknowledge(session, " js-2222-3333 ", responder(session, "k10-coordinator"), "test", LATER)
    assert (result.outcome, result.code) == ("unknown_case", "JS-2222-3333")
    assert acknowledge(session, "", responder(session, "k10-coordinator"), "test", LATER).outcome == "unknown_case"


def test_the_coordinator_may_acknowledge_any_case(session) -> None:
    case = routed(session, school="drvar-os-1", incident_type="threats")
    result = ack(session, case, "k10-coordinator")
    assert (result.outcome, result.owner_name) == ("acknowledged", "Uzorak Koordinator Kanton 10")
    assert case.owner.code == "k10-coordinator" and case.ack_deadline_at is None
    assert ack(session, case, "drvar-os-1-pedagogue").outcome == "already"


def test_acknowledging_a_closed_case_does_not_reopen_it(session) -> None:
    case = routed(session, incident_type="threats")
    close_case(session, case, "duplicate", "k10-coordinator", T0 + timedelta(minutes=1))
    result = ack(session, case, "livno-os-1-pedagogue")
    assert result.outcome == "already"
    assert case.status == "closed" and case.owner is None and case.acknowledged_at is None
    notices = [e.body for e in events(session, case, "reporter_notice")]
    assert len(notices) == 1 and "istom" in notices[0]  # only the closing sentence
