"""`hotline case ...`, `hotline worker` and the worker in `hotline run`, on a real migrated
SQLite database with the sample directory."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.cases.report import Report
from bot.cases.submission import submit_report
from bot.cases.vocabulary import OUTCOMES
from bot.cli import main
from bot.privacy import reporter_addresses
from bot.storage.db import session_scope
from bot.storage.models import (
    Case,
    CaseEvent,
    CaseMessage,
    ContactVaultEntry,
    OutboxMessage,
    Referral,
    School,
)
from tests.helpers.cases import BULLYING_REPORT

REPORT = {**BULLYING_REPORT, "script": "latin", "channel": "sms"}
SCHOOL = "livno-os-1"
COUNSELLOR = "livno-os-1-pedagogue"  # alerted first for a case at livno-os-1
OTHER_SCHOOL_STAFF = "livno-os-2-pedagogue"
COORDINATOR = "k10-coordinator"
REPORTER_PHONE = "+38761555123"


def _report(engine: Engine, conversation_id: str | None = None, **extra: Any) -> str:
    """A case at SCHOOL, as the report form stores it; returns its code."""
    with session_scope(engine) as session:
        school = session.scalars(select(School).where(School.code == SCHOOL)).one()
        issued = submit_report(
            session,
            Report.from_fields({**REPORT, "school_id": school.id, "municipality_id": school.municipality_id, **extra}),
            conversation_id=conversation_id,
        )
        return issued.code


def _case(engine: Engine, code: str) -> Case:
    with session_scope(engine) as session:
        case = session.scalars(select(Case).where(Case.code == code)).one()
        _ = case.owner  # load while the session is open
        return case


def _hotline(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_close_offers_every_outcome_of_the_vocabulary() -> None:
    result = _hotline("case", "close", "--help")
    assert result.exit_code == 0
    assert all(outcome in result.output for outcome in OUTCOMES)


def test_list_shows_one_line_per_case_and_nothing_about_the_reporter(app_engine: Engine) -> None:
    code = _report(app_engine)
    result = _hotline("case", "list")
    assert result.exit_code == 0, result.output
    header, line = result.output.splitlines()
    assert header.split() == ["code", "status", "severity", "school", "deadline", "owner", "step"]
    assert line.split()[:4] == [code, "new", "medium", SCHOOL]
    assert line.split()[-2:] == ["-", "0"]  # no owner yet, no escalation
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", line)  # local deadline
    assert "names" not in result.output and "student" not in result.output


def test_list_filters_by_open_and_school(app_engine: Engine) -> None:
    code = _report(app_engine)
    assert code in _hotline("case", "list", "--open").output
    assert code in _hotline("case", "list", "--school", SCHOOL).output
    assert _hotline("case", "list", "--school", "livno-os-2").output.strip() == "no cases"
    assert _hotline("case", "close", code, "--outcome", "duplicate", "--as", COUNSELLOR).exit_code == 0
    assert _hotline("case", "list", "--open").output.strip() == "no cases"
    assert "closed" in _hotline("case", "list").output
    unknown = _hotline("case", "list", "--school", "nowhere")
    assert unknown.exit_code == 1 and "no school with code 'nowhere'" in unknown.output


def test_show_tells_staff_the_case_but_no_address_and_no_vault(app_engine: Engine) -> None:
    code = _report(app_engine, conversation_id="conv-show", contact_ok=True)
    with session_scope(app_engine) as session:
        reporter_addresses.fill(session, "conv-show", "sms", REPORTER_PHONE)
    assert _hotline("case", "reply", code, "--as", COUNSELLOR, "Can you tell us more?").exit_code == 0
    result = _hotline("case", "show", code.lower())  # typed codes are forgiving
    assert result.exit_code == 0, result.output
    out = result.output
    assert "case:" in out and code in out
    assert "medium: Bullying that keeps happening was reported." in out
    assert "Uzorak" in out and f"({SCHOOL})" in out and "bullying" in out
    assert "They call me names every day." in out  # staff need the description
    assert re.search(rf"{COUNSELLOR}\s+pedagogue\s+school_counsellors\s+pending\s+0", out)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+reported\s+system", out)
    assert "staff_message" in out and "to reporter" in out and "Can you tell us more?" in out
    assert "outbox: pending" in out
    with session_scope(app_engine) as session:
        sealed = session.scalars(select(ContactVaultEntry.sealed_address)).one()
    assert "+387" not in out and "38761555123" not in out and "63900" not in out
    assert sealed not in out and "conv-show" not in out


def test_show_of_a_failed_send_keeps_the_error_type_only(app_engine: Engine) -> None:
    code = _report(app_engine)
    with session_scope(app_engine) as session:
        case = session.scalars(select(Case).where(Case.code == code)).one()
        session.add(
            CaseEvent(
                case=case,
                kind="send_failed",
                body=(
                    "reporter_message via reporter: TwilioRestException: HTTP 400 error: "
                    f"The 'To' number {REPORTER_PHONE} is not a valid phone number."
                ),
            )
        )
    out = _hotline("case", "show", code).output
    assert "reporter_message via reporter: TwilioRestException" in out and "+387" not in out


def test_unknown_case_or_responder_is_a_clear_error(app_engine: Engine) -> None:
    code = _report(app_engine)
    for args, message in [
        (("case", "show", "JS-2222-2222"), "no case with code 'JS-2222-2222'"),
        (("case", "ack", "nonsense", "--as", COUNSELLOR), "no case with code 'nonsense'"),
        (("case", "ack", code, "--as", "nobody"), "no active responder with code 'nobody'"),
        (("case", "reply", code, "--as", "nobody", "hi"), "no active responder"),
        (("case", "status", code, "in_progress", "--as", "nobody"), "no active responder"),
        (("case", "close", code, "--outcome", "acted_on", "--as", "nobody"), "no active responder"),
        (("case", "ack", code, "--as", OTHER_SCHOOL_STAFF), "has no referral for case"),
        (("case", "reply", code, "--as", OTHER_SCHOOL_STAFF, "hi"), "has no referral for case"),
    ]:
        result = _hotline(*args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
    assert _case(app_engine, code).status == "new"


def test_ack_makes_the_responder_the_owner_and_stops_escalation(app_engine: Engine) -> None:
    code = _report(app_engine)
    result = _hotline("case", "ack", code, "--as", COUNSELLOR)
    assert result.exit_code == 0, result.output
    assert f"{code} acknowledged by {COUNSELLOR}; owner: Uzorak Pedagog Livno" in result.output
    case = _case(app_engine, code)
    assert case.status == "acknowledged" and case.owner.code == COUNSELLOR
    assert case.ack_deadline_at is None and case.acknowledged_at is not None
    with session_scope(app_engine) as session:
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "acknowledged")
        ).all()
        assert [(e.actor, e.body) for e in events] == [(COUNSELLOR, "via cli")]
        referral = session.scalars(select(Referral).where(Referral.case_id == case.id)).first()
        assert referral.status == "acknowledged"
    again = _hotline("case", "ack", code, "--as", COORDINATOR)
    assert again.exit_code == 0 and "already acknowledged; owner: Uzorak Pedagog" in again.output
    assert COUNSELLOR in _hotline("case", "list").output


def test_reply_waits_for_a_check_in_without_contact(app_engine: Engine) -> None:
    code = _report(app_engine)
    result = _hotline("case", "reply", code, "--as", COUNSELLOR, "We", "are", "here.")
    assert result.exit_code == 0 and result.output.startswith("waiting:"), result.output
    with session_scope(app_engine) as session:
        message = session.scalars(select(CaseMessage)).one()
        assert (message.direction, message.body) == ("to_reporter", "We are here.")
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "reporter")).all() == []


def test_reply_is_queued_to_a_reporter_who_agreed_to_contact(app_engine: Engine) -> None:
    code = _report(app_engine, conversation_id="conv-reply", contact_ok=True)
    with session_scope(app_engine) as session:
        reporter_addresses.fill(session, "conv-reply", "sms", REPORTER_PHONE)
    result = _hotline("case", "reply", code, "--as", COORDINATOR, "We are here.")
    assert result.exit_code == 0 and result.output.startswith("sent:"), result.output
    with session_scope(app_engine) as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "reporter")).one()
        assert row.kind == "reporter_message" and "We are here." in row.body
        assert REPORTER_PHONE not in row.body
    assert _hotline("case", "reply", code, "--as", COORDINATOR, " ").exit_code == 1


def test_status_and_close_tell_the_reporter(app_engine: Engine) -> None:
    code = _report(app_engine)
    early = _hotline("case", "status", code, "in_progress", "--as", COUNSELLOR)
    assert early.exit_code == 1 and "not acknowledged yet" in early.output
    assert _hotline("case", "ack", code, "--as", COUNSELLOR).exit_code == 0
    result = _hotline("case", "status", code, "in_progress", "--as", COUNSELLOR)
    assert result.exit_code == 0 and "in_progress" in result.output, result.output
    assert _case(app_engine, code).status == "in_progress"
    bad = _hotline("case", "close", code, "--outcome", "solved", "--as", COUNSELLOR)
    assert bad.exit_code == 2  # click's usage error lists the outcomes
    result = _hotline("case", "close", code, "--outcome", "acted_on", "--as", COUNSELLOR)
    assert result.exit_code == 0 and "closed: acted_on" in result.output, result.output
    case = _case(app_engine, code)
    assert (case.status, case.outcome) == ("closed", "acted_on") and case.closed_at is not None
    with session_scope(app_engine) as session:
        trail = [
            (e.kind, e.actor, e.body, e.visible_to_reporter)
            for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
        ]
    assert ("status", COUNSELLOR, "in_progress", False) in trail
    assert ("closed", COUNSELLOR, "acted_on", False) in trail
    notices = [body for kind, _, body, visible in trail if kind == "reporter_notice" and visible]
    assert len(notices) == 3  # acknowledged, in progress, closed
    for args in (
        ("case", "close", code, "--outcome", "duplicate", "--as", COUNSELLOR),
        ("case", "status", code, "in_progress", "--as", COUNSELLOR),
        ("case", "ack", code, "--as", COUNSELLOR),
    ):
        closed = _hotline(*args)
        assert closed.exit_code == 1 and "is closed (acted_on)" in closed.output, args
    assert _case(app_engine, code).outcome == "acted_on"


def test_the_coordinator_may_close_any_case(app_engine: Engine) -> None:
    code = _report(app_engine)
    result = _hotline("case", "close", code, "--outcome", "false_report", "--as", COORDINATOR)
    assert result.exit_code == 0, result.output
    assert _case(app_engine, code).ack_deadline_at is None  # escalation stops


def test_worker_command_runs_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.outbox.worker

    calls: list[bool] = []
    monkeypatch.setattr(bot.outbox.worker, "run_worker", lambda: calls.append(True))
    assert _hotline("worker").exit_code == 0 and calls == [True]


class _Manager:
    """honcho's Manager, recording the processes instead of starting them."""

    def __init__(self) -> None:
        self.processes: dict[str, str] = {}
        self.returncode = 0

    def add_process(self, name: str, command: str, **_: Any) -> None:
        self.processes[name] = command

    def loop(self) -> None:
        _Manager.last = self


@pytest.mark.parametrize("with_credentials", [False, True])
def test_run_starts_the_worker_beside_rasa_and_actions(monkeypatch: pytest.MonkeyPatch, with_credentials: bool) -> None:
    import bot.ops.supervisor

    for name in ("TELEGRAM_API_BASE_URL", "TWILIO_API_BASE_URL", "TELEGRAM_BOT_TOKEN", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    if with_credentials:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:real-looking")
    monkeypatch.setattr(bot.ops.supervisor, "Manager", _Manager)
    result = _hotline("run")
    assert result.exit_code == 0, result.output
    processes = _Manager.last.processes
    expected = {"rasa", "actions", "worker", "console"} | (set() if with_credentials else {"fakes"})
    assert set(processes) == expected
    assert processes["worker"].endswith("hotline worker")
    assert "REST channel on http://localhost:5005" in result.output
    assert "hotline case list" in result.output
    assert ("fake APIs" in result.output) is not with_credentials


def test_demo_environment_has_a_staff_bot_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.devtools.demo import demo_environment

    env = demo_environment({})
    assert env["TELEGRAM_STAFF_BOT_TOKEN"] != env["TELEGRAM_BOT_TOKEN"]
    assert re.fullmatch(r"\d+:[A-Za-z0-9_-]+", env["TELEGRAM_STAFF_BOT_TOKEN"])


class _Bot:
    """python-telegram-bot's Bot, recording set_webhook."""

    calls: list[dict[str, Any]] = []

    def __init__(self, token: str, base_url: str) -> None:
        self.token = token

    async def __aenter__(self) -> _Bot:
        return self

    async def __aexit__(self, *_: Any) -> None:
        return None

    async def set_webhook(self, url: str, secret_token: str, allowed_updates: list[str]) -> None:
        _Bot.calls.append({"token": self.token, "url": url, "secret": secret_token, "updates": allowed_updates})


def test_set_webhook_for_the_staff_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    import telegram

    monkeypatch.setattr(telegram, "Bot", _Bot)
    _Bot.calls = []
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://hotline.example.org")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:hotline")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "hotline-secret")
    monkeypatch.delenv("TELEGRAM_STAFF_BOT_TOKEN", raising=False)
    missing = _hotline("telegram", "set-webhook", "--staff")
    assert missing.exit_code == 1 and "TELEGRAM_STAFF_BOT_TOKEN" in missing.output
    monkeypatch.setenv("TELEGRAM_STAFF_BOT_TOKEN", "2:staff")
    monkeypatch.setenv("TELEGRAM_STAFF_WEBHOOK_SECRET", "staff-secret")
    result = _hotline("telegram", "set-webhook", "--staff")
    assert result.exit_code == 0, result.output
    assert _hotline("telegram", "set-webhook").exit_code == 0
    assert [(c["token"], c["url"], c["secret"]) for c in _Bot.calls] == [
        ("2:staff", "https://hotline.example.org/webhooks/staff_telegram/webhook", "staff-secret"),
        ("1:hotline", "https://hotline.example.org/webhooks/telegram/webhook", "hotline-secret"),
    ]
    assert "callback_query" in _Bot.calls[0]["updates"]
