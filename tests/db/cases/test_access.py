"""Who sees which case (bot.cases.access): the rule per role, and the one-query answer for
many people at once (the console's list of whom a case can be given to), which must agree
with asking for each person on their own."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.cases import access
from bot.routing.referrals import refer
from bot.storage.models import Case, Referral, Responder
from tests.helpers.cases import BULLYING_REPORT, responder, routed


def _who_sees(session: Session, case: Case) -> set[str]:
    people = session.scalars(select(Responder).order_by(Responder.code)).all()
    return {r.code for r in people if access.may_see(session, case, r)}


def test_each_role_sees_what_its_rule_gives(session: Session) -> None:
    case = routed(session, **BULLYING_REPORT)  # Livno, OŠ 1
    refer(session, case, responder(session, "red-cross-duty-livno"), "psychosocial", in_chain=False)
    refer(session, case, responder(session, "legal-aid-mobile"), "legal_aid", in_chain=False, needs_consent=True)
    seen = _who_sees(session, case)
    assert {"livno-os-1-pedagogue", "livno-os-1-psychologist", "livno-os-1-principal"} <= seen
    assert "k10-coordinator" in seen and "red-cross-duty-livno" in seen
    assert "k10-admin" not in seen  # the directory, never a case
    assert "legal-aid-mobile" not in seen  # waits for the reporter's consent
    assert "tomislavgrad-os-1-pedagogue" not in seen and "red-cross-duty-kupres" not in seen


def test_an_inactive_responder_sees_nothing_whatever_the_role(session: Session) -> None:
    case = routed(session, **BULLYING_REPORT)
    for code in ("k10-coordinator", "livno-os-1-pedagogue"):
        responder(session, code).active = False
    session.flush()
    assert not _who_sees(session, case) & {"k10-coordinator", "livno-os-1-pedagogue"}


def test_who_may_see_without_a_query_per_person_agrees_with_asking_each_person(session: Session) -> None:
    school_case = routed(session, **BULLYING_REPORT)
    refer(session, school_case, responder(session, "red-cross-duty-livno"), "psychosocial", in_chain=False)
    refer(session, school_case, responder(session, "legal-aid-mobile"), "legal_aid", in_chain=False, needs_consent=True)
    elsewhere = routed(session, school="drvar-os-1", **BULLYING_REPORT)
    refer(session, elsewhere, responder(session, "livno-os-1-psychologist"), "second_opinion", in_chain=False)
    responder(session, "kupres-os-1-principal").active = False
    no_school = routed(session, school=None, **BULLYING_REPORT)
    # A referral without a status (written by hand, say) gives no access, in SQL as here.
    by_hand = Referral(case=no_school, responder=responder(session, "police-k10"))
    session.add(by_hand)
    session.flush()
    session.execute(update(Referral).where(Referral.id == by_hand.id).values(status=None))
    session.expire_all()
    people = session.scalars(select(Responder).order_by(Responder.code)).all()
    for case in (school_case, elsewhere, no_school):
        assert {r.code for r in access.who_may_see(case, people)} == _who_sees(session, case)
    assert access.who_may_see(school_case, []) == []
