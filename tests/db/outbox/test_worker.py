"""The worker against the fake Telegram and Twilio APIs, run in-process on free ports and
reached through the real clients (python-telegram-bot, twilio), on both databases:
alerts delivered, retried with backoff, recovered after a crash, moved to SMS when
Telegram refuses them for good, escalations sent, and the follow-up thread both ways."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.alerts.acknowledgement import acknowledge
from bot.cases.report import Report
from bot.cases.submission import record_crisis, submit_report
from bot.channels.sms_text import fold_diacritics, size
from bot.devtools import fake_telegram, fake_twilio
from bot.followup import thread as followup
from bot.outbox import store as outbox
from bot.outbox.senders import SEGMENTS_PER_SMS, Senders, sms_bodies
from bot.outbox.worker import Worker
from bot.privacy import reporter_addresses
from bot.storage.db import engine_for, session_scope
from bot.storage.models import (
    Case,
    CaseEvent,
    OutboxMessage,
    Referral,
    utcnow,
)
from tests.helpers.cases import responder, school_id

STAFF_TOKEN = "111111:staff-bot-token"
HOTLINE_TOKEN = "222222:hotline-bot-token"
ACCOUNT = "AC" + "0" * 32
HOTLINE_NUMBER = "+38733000000"


# --- the fakes, in-process -------------------------------------------------------------------


@dataclass
class FakeApi:
    url: str
    paths: list[str] = field(default_factory=list)  # every request, with the token in it

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        async with aiohttp.ClientSession() as http, http.request(method, self.url + path, **kwargs) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def recorded(self, method: str | None = None) -> list[dict[str, Any]]:
        calls = await self._call("GET", "/_recorded")
        return [c for c in calls if method is None or c["method"] == method]

    async def fail(self, count: int, status: int = 500) -> None:
        await self._call("POST", "/_fail", json={"count": count, "status": status})

    async def stats(self) -> dict[str, int]:
        return await self._call("GET", "/_stats")


async def _serve(app: web.Application) -> AsyncIterator[FakeApi]:
    paths: list[str] = []

    @web.middleware
    async def remember(request: web.Request, handler):  # type: ignore[no-untyped-def]
        if not request.path.startswith("/_"):  # not the control routes
            paths.append(request.path)
        return await handler(request)

    app.middlewares.append(remember)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()  # port 0: a free one
    host, port = runner.addresses[0][:2]
    try:
        yield FakeApi(f"http://{host}:{port}", paths)
    finally:
        await runner.cleanup()


@pytest.fixture
async def telegram_api() -> AsyncIterator[FakeApi]:
    async for api in _serve(fake_telegram.create_app()):
        yield api


@pytest.fixture
async def twilio_api() -> AsyncIterator[FakeApi]:
    async for api in _serve(fake_twilio.create_app()):
        yield api


@pytest.fixture
def hotline(
    engine: Engine, telegram_api: FakeApi, twilio_api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """The worker's environment: the test database and the fakes."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)  # bot.storage.db.in_session opens this one
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", telegram_api.url)
    monkeypatch.setenv("TWILIO_API_BASE_URL", twilio_api.url)
    monkeypatch.setenv("TELEGRAM_STAFF_BOT_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", HOTLINE_TOKEN)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-test-token")
    monkeypatch.setenv("TWILIO_FROM_NUMBER", HOTLINE_NUMBER)
    monkeypatch.setenv("SMS_FOLD_DIACRITICS", "true")
    yield engine
    engine_for(url).dispose()


@pytest.fixture
async def worker(hotline: Engine) -> AsyncIterator[Worker]:
    worker = Worker()
    yield worker
    await worker.senders.close()


# --- the database ----------------------------------------------------------------------------


def report(engine: Engine, school: str = "livno-os-1", **fields) -> str:  # type: ignore[no-untyped-def]
    """Submit a report as the action server does; returns its case code."""
    with session_scope(engine) as session:
        fields = {
            "incident_type": "bullying",
            "school_id": school_id(session, school),
            "language": "bcs",
            "script": "latin",
            **fields,
        }
        return submit_report(session, Report.from_fields(fields)).code


def rows(engine: Engine, code: str) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        case = session.scalars(select(Case).where(Case.code == code)).one()
        return list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.id))
        )


def event_bodies(engine: Engine, code: str, kind: str) -> list[str]:
    with session_scope(engine) as session:
        case = session.scalars(select(Case).where(Case.code == code)).one()
        return list(
            session.scalars(
                select(CaseEvent.body)
                .where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
                .order_by(CaseEvent.id)
            )
        )


def chats(calls: list[dict[str, Any]]) -> list[int]:
    return sorted(call["params"]["chat_id"] for call in calls)


# --- sending ---------------------------------------------------------------------------------


async def test_a_critical_alert_goes_out_through_the_staff_bot(hotline, worker, telegram_api) -> None:
    code = report(hotline, incident_type="physical", danger_now="yes")
    assert await worker.tick() == 3
    sent = await telegram_api.recorded("sendMessage")
    # The counsellor, the principal and the Red Cross team on duty in Livno.
    assert chats(sent) == [7000000011, 7000000013, 7000000301]
    for call in sent:
        assert call["params"]["text"].startswith(f"Javi se – nova prijava {code}\nŠkola: OŠ Uzorak 1 Livno")
        assert call["params"]["reply_markup"] == {
            "inline_keyboard": [[{"text": "Potvrđujem prijem", "callback_data": f"ack:{code}"}]]
        }
    # One staff bot, initialised once for the three sends that went out side by side.
    assert sorted(telegram_api.paths) == [f"/bot{STAFF_TOKEN}/getMe"] + [f"/bot{STAFF_TOKEN}/sendMessage"] * 3
    assert {(r.status, r.attempts) for r in rows(hotline, code)} == {("sent", 1)}
    assert sorted(event_bodies(hotline, code, "alert_sent")) == [
        "livno-os-1-pedagogue via staff_telegram",
        "livno-os-1-principal via staff_telegram",
        "red-cross-duty-livno via staff_telegram",
    ]
    with session_scope(hotline) as session:
        referrals = session.scalars(select(Referral)).all()
        assert {r.status for r in referrals} == {"alerted"} and all(r.alerted_at for r in referrals)
    assert await worker.tick() == 0
    assert len(await telegram_api.recorded("sendMessage")) == 3


async def test_an_alert_the_api_refuses_three_times_is_retried_with_backoff_and_sent_once(
    hotline, worker, telegram_api
) -> None:
    report(hotline, school="livno-os-1")
    assert await worker.tick() == 1  # the staff bot is up
    await telegram_api.fail(3)
    code = report(hotline, school="livno-os-2")
    start = utcnow()
    [row] = rows(hotline, code)

    async def attempt(after_seconds: float) -> OutboxMessage:
        await worker.tick(start + timedelta(seconds=after_seconds))
        return next(r for r in rows(hotline, code) if r.id == row.id)

    first = await attempt(0)
    assert (first.status, first.attempts) == ("pending", 1)
    assert "fake failure" in first.last_error
    assert timedelta(seconds=0.5) <= first.next_attempt_at - start < timedelta(seconds=2)
    assert (await attempt(0.2)).attempts == 1  # still backing off
    assert (await attempt(1)).attempts == 2
    assert (await attempt(1.5)).attempts == 2
    assert (await attempt(3)).attempts == 3
    assert (await attempt(4)).attempts == 3
    done = await attempt(6)
    assert (done.status, done.attempts, done.last_error) == ("sent", 4, None)
    assert chats(await telegram_api.recorded("sendMessage")) == [7000000011, 7000000021]
    assert (await telegram_api.stats())["failed"] == 3
    assert await worker.tick(start + timedelta(minutes=30)) == 0


async def test_a_message_left_sending_by_a_killed_worker_is_sent_once_after_a_restart(hotline, telegram_api) -> None:
    code = report(hotline)

    class Stuck(Senders):
        async def send(self, message: outbox.Claimed) -> None:
            await asyncio.Event().wait()  # the request never returns

    killed = asyncio.create_task(Worker(Stuck()).tick())
    for _ in range(200):
        if rows(hotline, code)[0].status == "sending":
            break
        await asyncio.sleep(0.01)
    killed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await killed
    assert [r.status for r in rows(hotline, code)] == ["sending"]

    restarted = Worker()
    try:
        assert await restarted.tick() == 0  # not before the restart's recovery
        await restarted.start()
        assert await restarted.tick() == 1
        assert await restarted.tick() == 0
    finally:
        await restarted.senders.close()
    assert chats(await telegram_api.recorded("sendMessage")) == [7000000011]
    assert [(r.status, r.attempts) for r in rows(hotline, code)] == [("sent", 2)]


@pytest.mark.parametrize("status", [400, 403])
async def test_an_alert_telegram_refuses_for_good_falls_back_to_sms_at_once(
    hotline, worker, telegram_api, twilio_api, status: int
) -> None:
    report(hotline, school="livno-os-1")
    await worker.tick()
    await telegram_api.fail(1, status)
    code = report(hotline, school="livno-os-2")
    assert await worker.tick() == 1
    assert await worker.tick() == 1
    [sms] = await twilio_api.recorded("messages.create")
    assert (sms["params"]["To"], sms["params"]["From"]) == ("+38763900021", HOTLINE_NUMBER)
    assert sms["params"]["Body"].startswith(f"Javi se - nova prijava {code}\nSkola: OS Uzorak 2 Livno")
    assert sms["params"]["Body"].endswith(f"Odgovorite OK {code} da potvrdite da ste je primili.")
    telegram, fallback = rows(hotline, code)
    assert (telegram.channel, telegram.status, telegram.attempts) == ("staff_telegram", "failed", 1)
    assert (fallback.channel, fallback.status) == ("sms", "sent")
    assert event_bodies(hotline, code, "alert_sent") == ["livno-os-2-pedagogue via sms"]
    assert len(event_bodies(hotline, code, "send_failed")) == 1


async def test_an_alert_telegram_keeps_failing_goes_by_sms_after_the_last_retry(
    hotline, worker, telegram_api, twilio_api
) -> None:
    code = report(hotline)
    await telegram_api.fail(1000)
    now = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        assert await worker.tick(now) == 1
        assert await twilio_api.recorded() == []
        now += timedelta(minutes=6)  # past the longest backoff
    assert await worker.tick(now) == 1
    assert [c["params"]["To"] for c in await twilio_api.recorded("messages.create")] == ["+38763900011"]
    assert [(r.channel, r.status, r.attempts) for r in rows(hotline, code)] == [
        ("staff_telegram", "failed", outbox.MAX_ATTEMPTS),
        ("sms", "sent", 1),
    ]


async def test_no_fallback_for_a_case_closed_in_the_meantime(hotline, worker, telegram_api, twilio_api) -> None:
    report(hotline, school="livno-os-1")
    await worker.tick()
    code = report(hotline, school="livno-os-2")
    with session_scope(hotline) as session:
        case = session.scalars(select(Case).where(Case.code == code)).one()
        followup.close_case(session, case, "duplicate", "k10-coordinator", utcnow())
    await telegram_api.fail(1, 403)
    await worker.tick()
    await worker.tick()
    assert await twilio_api.recorded() == []
    assert [r.channel for r in rows(hotline, code)] == ["staff_telegram"]


# --- escalation ------------------------------------------------------------------------------


async def test_the_worker_escalates_at_the_deadline_and_sends_the_alert(hotline, worker, telegram_api) -> None:
    code = report(hotline, incident_type="threats")
    await worker.tick()
    with session_scope(hotline) as session:
        deadline = session.scalars(select(Case.ack_deadline_at).where(Case.code == code)).one()
    assert await worker.tick(deadline - timedelta(seconds=1)) == 0
    assert await worker.tick(deadline + timedelta(seconds=1)) == 2  # the backup, a reminder
    sent = {c["params"]["chat_id"]: c["params"]["text"] for c in await telegram_api.recorded("sendMessage")}
    assert sorted(sent) == [7000000011, 7000000012]
    assert sent[7000000012].startswith(
        f"NIJE POTVRĐENO NA VRIJEME – eskalacija, korak 1\nJavi se – nova prijava {code}\n"
    )
    assert sent[7000000011].startswith("1. PODSJETNIK: prijavu još niko nije potvrdio. Sada je poslana i: ")
    assert [b.split(";")[0] for b in event_bodies(hotline, code, "escalated")] == [
        "step 1: school:backup_counsellor -> livno-os-1-psychologist"
    ]

    with session_scope(hotline) as session:
        assert (
            acknowledge(
                session,
                code,
                responder(session, "livno-os-1-psychologist"),
                "telegram",
                deadline + timedelta(minutes=5),
            ).outcome
            == "acknowledged"
        )
    assert await worker.tick(deadline + timedelta(days=30)) == 0
    assert len(await telegram_api.recorded("sendMessage")) == 3


async def test_a_case_that_cannot_be_escalated_holds_back_no_other(hotline, worker, telegram_api) -> None:
    broken, fine = report(hotline, school="kupres-os-1"), report(hotline, school="livno-os-2")
    await worker.tick()
    with session_scope(hotline) as session:
        session.scalars(select(Case).where(Case.code == broken)).one().severity = "unheard-of"
    await worker.tick(utcnow() + timedelta(days=15))
    assert event_bodies(hotline, broken, "escalated") == []
    assert len(event_bodies(hotline, fine, "escalated")) == 1
    assert 7000000022 in chats(await telegram_api.recorded("sendMessage"))


# --- the follow-up thread --------------------------------------------------------------------


def with_contact(engine: Engine, conversation: str, channel: str, address: str, **fields) -> str:  # type: ignore[no-untyped-def]
    """A report whose reporter agreed to contact, as the channel fills the vault."""
    with session_scope(engine) as session:
        fields = {
            "incident_type": "bullying",
            "school_id": school_id(session, "livno-os-1"),
            "language": "bcs",
            "script": "latin",
            "contact_ok": True,
            **fields,
        }
        code = submit_report(session, Report.from_fields(fields), conversation_id=conversation).code
    with session_scope(engine) as session:
        reporter_addresses.fill(session, conversation, channel, address)
    return code


async def test_a_staff_reply_reaches_the_reporter_and_their_answer_reaches_staff(hotline, worker, telegram_api) -> None:
    code = with_contact(hotline, "telegram-conv", "telegram", "5550001")
    await worker.tick()  # the alert
    with session_scope(hotline) as session:
        pedagogue = responder(session, "livno-os-1-pedagogue")
        assert acknowledge(session, code, pedagogue, "telegram", utcnow()).outcome == "acknowledged"
        assert followup.staff_reply(session, code, pedagogue, "Možemo li razgovarati sutra?")[0] == "sent"
    assert await worker.tick() == 2  # the "seen" notice and the message
    to_reporter = [c for c in await telegram_api.recorded("sendMessage") if c["params"]["chat_id"] == 5550001]
    assert [c["params"]["text"] for c in to_reporter] == [
        f"Pedagog ili psiholog je vidio tvoju prijavu {code}. Hvala ti što si se javio/la.",
        f"Poruka od pedagoga ili psihologa o tvojoj prijavi {code}:\nMožemo li razgovarati sutra?\n"
        "Da odgovoriš, samo napiši poruku. Napiši IZBORNIK da se vratiš na glavni izbornik.",
    ]
    assert telegram_api.paths.count(f"/bot{HOTLINE_TOKEN}/sendMessage") == 2

    with session_scope(hotline) as session:
        thread = followup.open_thread(session, "telegram-conv", utcnow())
        assert thread is not None and thread.code == code
        case = session.get(Case, thread.case_id)
        assert followup.take_unread(session, case, utcnow()) == []  # delivered counts as read
        followup.reporter_answer(session, thread.case_id, "Može, poslije škole.")
    assert await worker.tick() == 1
    answer = (await telegram_api.recorded("sendMessage"))[-1]["params"]
    assert answer["chat_id"] == 7000000011
    assert answer["text"].startswith(f"Odgovor osobe koja je prijavila ({code}):\nMože, poslije škole.")
    assert telegram_api.paths[-1] == f"/bot{STAFF_TOKEN}/sendMessage"


async def test_the_crisis_seen_message_reaches_the_child_once_and_its_address_is_forgotten(
    hotline, worker, telegram_api
) -> None:
    with session_scope(hotline) as session:
        case_id = record_crisis(
            session,
            "urgent_danger",
            Report.from_fields(
                {
                    "school_id": school_id(session, "livno-os-1"),
                    "language": "en",
                    "script": "latin",
                }
            ),
            "he has a knife",
            conversation_id="crisis-conv",
        )
    with session_scope(hotline) as session:
        reporter_addresses.fill(session, "crisis-conv", "telegram", "5550002")
    await worker.tick()  # the alerts
    with session_scope(hotline) as session:
        code = session.get(Case, case_id).code
        principal = responder(session, "livno-os-1-principal")
        assert acknowledge(session, code, principal, "telegram", utcnow()).outcome == "acknowledged"
    assert await worker.tick() == 1
    [seen] = [
        c["params"]["text"] for c in await telegram_api.recorded("sendMessage") if c["params"]["chat_id"] == 5550002
    ]
    assert seen == "An adult from the school has seen your message and is acting now. If you are in danger, call 122."
    with session_scope(hotline) as session:
        assert reporter_addresses.address_for_case(session, case_id, reporter_addresses.CRISIS_SEEN) is None
        assert session.scalars(select(reporter_addresses.ContactVaultEntry)).all() == []


async def test_an_answer_telegram_refuses_reaches_the_owner_by_sms(hotline, worker, telegram_api, twilio_api) -> None:
    code = report(hotline)
    await worker.tick()
    with session_scope(hotline) as session:
        acknowledge(session, code, responder(session, "livno-os-1-pedagogue"), "sms", utcnow())
        case = session.scalars(select(Case).where(Case.code == code)).one()
        followup.reporter_answer(session, case.id, "Hvala.")
    await telegram_api.fail(1, 403)  # the counsellor blocked the staff bot
    assert await worker.tick() == 1
    assert await worker.tick() == 1
    [sms] = [c["params"] for c in await twilio_api.recorded("messages.create")]
    assert sms["To"] == "+38763900011"
    assert sms["Body"].startswith(f"Odgovor osobe koja je prijavila ({code}):\nHvala.")
    assert [(r.channel, r.status) for r in rows(hotline, code) if r.kind == "staff_message"] == [
        ("staff_telegram", "failed"),
        ("sms", "sent"),
    ]


async def test_a_long_reply_reaches_an_sms_reporter_whole(hotline, worker, twilio_api) -> None:
    code = with_contact(hotline, "sms-conv", "sms", "+38761444555")
    text = " ".join(f"Ovo je rečenica broj {n} u dugoj poruci." for n in range(1, 81))
    with session_scope(hotline) as session:
        assert followup.staff_reply(session, code, responder(session, "k10-coordinator"), text)[0] == "sent"
    await worker.tick()
    sms = [c["params"] for c in await twilio_api.recorded("messages.create")]
    assert len(sms) > 1 and {m["To"] for m in sms} == {"+38761444555"}
    assert all(len(m["Body"]) <= fake_twilio.MAX_BODY for m in sms)
    assert (
        " ".join(m["Body"] for m in sms).split()
        == fold_diacritics(
            f"Poruka od pedagoga ili psihologa o tvojoj prijavi {code}:\n{text}\n"
            "Da odgovoriš, samo napiši poruku. Napiši IZBORNIK da se vratiš na glavni izbornik."
        ).split()
    )
    assert [r.status for r in rows(hotline, code) if r.kind == "reporter_message"] == ["sent"]


def test_a_short_message_is_one_sms_as_written() -> None:
    text = "Javi se - nova prijava JS-2222-3333\nSkola: OS Uzorak 1 Livno\n\nOdgovorite OK JS-2222-3333."
    assert sms_bodies(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(f"Red {n}: " + "rijec " * 40 for n in range(30)),  # many lines
        "Ово је дуга порука. " * 120,  # UCS-2, one line
        "x" * 4000,  # no place to cut
    ],
)
def test_a_long_message_is_cut_into_sms_twilio_accepts_and_nothing_is_lost(text: str) -> None:
    bodies = sms_bodies(text)
    assert len(bodies) > 1
    assert all(len(b) <= fake_twilio.MAX_BODY for b in bodies)
    assert all(size(b).segments <= SEGMENTS_PER_SMS for b in bodies)
    assert "".join("".join(bodies).split()) == "".join(text.split())


# --- the process -----------------------------------------------------------------------------


async def test_run_recovers_sends_and_stops(hotline, telegram_api, monkeypatch) -> None:
    monkeypatch.setenv("WORKER_POLL_SECONDS", "0.05")
    code = report(hotline)
    with session_scope(hotline) as session:  # claimed by a worker that then died
        outbox.claim_due(session, utcnow() + timedelta(seconds=1))
    stop = asyncio.Event()
    running = asyncio.create_task(Worker().run(stop))
    for _ in range(500):
        if await telegram_api.recorded("sendMessage"):
            break
        await asyncio.sleep(0.01)
    code_2 = report(hotline, school="livno-os-2")
    for _ in range(500):
        if len(await telegram_api.recorded("sendMessage")) == 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert chats(await telegram_api.recorded("sendMessage")) == [7000000011, 7000000021]
    assert [r.status for r in rows(hotline, code) + rows(hotline, code_2)] == ["sent", "sent"]


def test_errors_are_recorded_without_numbers() -> None:
    from bot.outbox.worker import describe_error

    error = RuntimeError("The 'To' number +387 61 555 001 is not valid; chat 7000000201 not found")
    described = describe_error(error)
    assert "555" not in described and "7000000201" not in described
    assert described.startswith("RuntimeError: The 'To' number [number]")


async def test_without_a_staff_bot_alerts_go_by_sms_at_once(
    hotline, worker, telegram_api, twilio_api, monkeypatch
) -> None:
    monkeypatch.delenv("TELEGRAM_STAFF_BOT_TOKEN")  # a deployment with SMS only
    code = report(hotline, school="livno-os-2")
    assert await worker.tick() == 1
    assert await worker.tick() == 1
    [sms] = await twilio_api.recorded("messages.create")
    assert sms["params"]["To"] == "+38763900021" and code in sms["params"]["Body"]
    assert await telegram_api.recorded("sendMessage") == []


async def test_a_storm_of_critical_cases_reaches_each_person_as_one_message(hotline, worker, telegram_api) -> None:
    codes = []
    with session_scope(hotline) as session:
        for number in range(5):
            case_id = record_crisis(
                session,
                "urgent_danger",
                Report.from_fields(
                    {
                        "school_id": school_id(session, "livno-os-1"),
                        "language": "bcs",
                        "script": "latin",
                    }
                ),
                f"ima nož u školi ({number})",
            )
            codes.append(session.get(Case, case_id).code)
    assert await worker.tick() == 3  # messages, each carrying five alerts
    sent = await telegram_api.recorded("sendMessage")
    assert chats(sent) == [7000000011, 7000000013, 7000000301]
    for call in sent:
        assert all(code in call["params"]["text"] for code in codes)
        assert [b["callback_data"] for [b] in call["params"]["reply_markup"]["inline_keyboard"]] == [
            f"ack:{code}" for code in codes
        ]
    with session_scope(hotline) as session:
        referrals = session.scalars(select(Referral)).all()
        assert len(referrals) == 15 and {r.status for r in referrals} == {"alerted"}
        assert {row.status for row in session.scalars(select(OutboxMessage))} == {"sent"}
    assert await worker.tick() == 0
