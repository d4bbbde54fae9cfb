"""The case page and its actions over HTTP: every view recorded and shown to the others,
notes kept from the reporter and from other services, attachments behind a recorded click,
and the actions doing what the staff bot's do (escalation stops, the reporter is told)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.devtools import fake_telegram
from bot.routing.escalation import escalate_due
from bot.routing.referrals import refer
from bot.storage.db import session_scope
from bot.storage.models import Attachment, Case, CaseEvent, OutboxMessage, utcnow
from tests.helpers.cases import BULLYING_REPORT, contactable, responder, routed
from tests.helpers.console import signed_in
from tests.helpers.fake_apis import serving

COUNSELLOR, PRINCIPAL = "livno-os-1-pedagogue", "livno-os-1-principal"


def _case(engine: Engine, contact: bool = False, **fields: object) -> str:
    with session_scope(engine) as session:
        case = routed(session, now=utcnow(), **{**BULLYING_REPORT, **fields})
        refer(session, case, responder(session, "red-cross-duty-livno"), "test", in_chain=False)
        if contact:
            contactable(session, case)
        return case.code


def _events(engine: Engine, code: str, kind: str) -> list[CaseEvent]:
    with session_scope(engine) as session:
        return list(session.scalars(select(CaseEvent).join(Case).where(Case.code == code, CaseEvent.kind == kind)))


def _outbox(engine: Engine, code: str, kind: str) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .join(Case, OutboxMessage.case_id == Case.id)
                .where(Case.code == code, OutboxMessage.kind == kind)
            )
        )


def test_every_view_is_recorded_and_staff_see_who_else_looked(engine: Engine) -> None:
    code = _case(engine)
    counsellor, principal = signed_in(engine, COUNSELLOR), signed_in(engine, PRINCIPAL)
    counsellor.get(f"/cases/{code}")
    counsellor.get(f"/cases/{code}/export")
    page = principal.get(f"/cases/{code}").text
    assert [e.actor for e in _events(engine, code, "viewed")] == [COUNSELLOR, PRINCIPAL]
    assert [e.actor for e in _events(engine, code, "exported")] == [COUNSELLOR]
    viewers = page.split('class="panel timeline"')[0].rsplit("<h2>", 1)[1]
    assert "Uzorak Pedagog" in viewers and "2 time(s)" in viewers  # the counsellor: page and export


def test_attachments_are_shown_after_a_click_which_is_recorded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    code = _case(engine)
    with session_scope(engine) as session:
        case = session.scalars(select(Case).where(Case.code == code)).one()
        attachment = Attachment(
            case_id=case.id,
            conversation_id="c",
            channel="telegram",
            kind="photo",
            file_ref="AgAD-file",
            content_type="image/jpeg",
        )
        session.add(attachment)
        session.flush()
        attachment_id = attachment.id
    counsellor = signed_in(engine, COUNSELLOR)
    assert "AgAD-file" not in counsellor.get(f"/cases/{code}").text
    revealed = counsellor.post(f"/cases/{code}/attachments/{attachment_id}")
    file_url = f"/cases/{code}/attachments/{attachment_id}/file"
    assert revealed.status_code == 200 and f'src="{file_url}"' in revealed.text
    assert [e.actor for e in _events(engine, code, "attachment_viewed")] == [COUNSELLOR]
    with serving(fake_telegram.create_app()) as api:
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", api)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:hotline-test-token")
        image = counsellor.get(file_url)
    assert image.status_code == 200 and image.content == fake_telegram.fake_file_content("AgAD-file")
    assert image.headers["content-type"] == "image/jpeg" and image.headers["content-security-policy"].startswith(
        "sandbox"
    )
    assert len(_events(engine, code, "attachment_viewed")) == 2
    assert counsellor.get(file_url).status_code == 502  # the channel away: said so, still recorded
    assert len(_events(engine, code, "attachment_viewed")) == 3
    assert signed_in(engine, "livno-os-2-pedagogue").get(file_url).status_code == 403


def test_a_service_reads_its_own_notes_only_and_the_reporter_none(engine: Engine) -> None:
    code = _case(engine, contact=True)
    counsellor, red_cross = signed_in(engine, COUNSELLOR), signed_in(engine, "red-cross-duty-livno")
    counsellor.post(f"/cases/{code}/note", data={"body": "Razgovarala s razrednicom."})
    red_cross.post(f"/cases/{code}/note", data={"body": "Tim obišao porodicu."})
    assert "Razgovarala s razrednicom." not in red_cross.get(f"/cases/{code}").text
    page = counsellor.get(f"/cases/{code}").text
    assert "Razgovarala s razrednicom." in page and "Tim obišao porodicu." in page
    bodies = " ".join(
        m.body for m in _outbox(engine, code, "reporter_notice") + _outbox(engine, code, "reporter_message")
    )
    assert "razrednicom" not in bodies and "porodicu" not in bodies
    assert [e.body.startswith("note ") for e in _events(engine, code, "note")] == [True, True]


def test_a_reply_is_confirmed_before_it_goes_to_the_reporter(engine: Engine) -> None:
    code = _case(engine, contact=True)
    counsellor = signed_in(engine, COUNSELLOR)
    review = counsellor.post(f"/cases/{code}/reply", data={"body": "Možemo li se čuti sutra?"})
    assert review.status_code == 200 and "Možemo li se čuti sutra?" in review.text
    assert _outbox(engine, code, "reporter_message") == []  # nothing sent yet
    sent = counsellor.post(f"/cases/{code}/reply", data={"body": "Možemo li se čuti sutra?", "confirmed": "yes"})
    assert sent.headers["location"].endswith("done=sent")
    [message] = _outbox(engine, code, "reporter_message")
    assert "Možemo li se čuti sutra?" in message.body


def test_without_consent_to_contact_a_reply_waits_for_the_check_in(engine: Engine) -> None:
    code = _case(engine)
    sent = signed_in(engine, COUNSELLOR).post(f"/cases/{code}/reply", data={"body": "Hvala ti.", "confirmed": "yes"})
    assert sent.headers["location"].endswith("done=waiting") and _outbox(engine, code, "reporter_message") == []


def test_acknowledging_stops_escalation_and_closing_tells_the_reporter(engine: Engine) -> None:
    code = _case(engine, contact=True)
    counsellor = signed_in(engine, COUNSELLOR)
    assert counsellor.post(f"/cases/{code}/acknowledge").headers["location"].endswith("done=acknowledged")
    with session_scope(engine) as session:
        assert escalate_due(session, utcnow() + timedelta(days=3)) == 0
        case = session.scalars(select(Case).where(Case.code == code)).one()
        assert case.owner.code == COUNSELLOR and case.ack_deadline_at is None
    assert counsellor.post(f"/cases/{code}/close", data={"outcome": "acted_on"}).status_code == 303
    notices = [m.body for m in _outbox(engine, code, "reporter_notice")]
    assert len(notices) == 2 and code in notices[-1]  # acknowledged, then the outcome
    page = counsellor.get(f"/cases/{code}").text
    assert 'action="/cases/' + code + '/close"' not in page  # a closed case has no actions


def test_the_coordinator_reassigns_and_the_new_owner_is_told(engine: Engine) -> None:
    code = _case(engine)
    coordinator = signed_in(engine, "k10-coordinator")
    answer = coordinator.post(f"/cases/{code}/assign", data={"responder": "livno-os-1-psychologist"})
    assert answer.headers["location"].endswith("done=assigned")
    told = [m for m in _outbox(engine, code, "staff_message") if code in m.body]
    assert told and all(m.status in ("pending", "sent") for m in told)
    counsellor = signed_in(engine, COUNSELLOR)
    assert counsellor.post(f"/cases/{code}/assign", data={"responder": PRINCIPAL}).status_code == 403
