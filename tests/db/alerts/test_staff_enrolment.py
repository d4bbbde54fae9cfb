"""Telegram enrolment codes for staff, and the `hotline staff` commands."""

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from bot.alerts.staff_enrolment import EnrolmentError, issue, normalize_enrolment_code, redeem
from bot.cases.codes import CODE_ALPHABET
from bot.cli import main
from bot.privacy.lockout import LOCK_DURATION, MAX_FAILURES
from bot.privacy.pseudonyms import pseudonym
from bot.routing.responders import by_telegram_chat
from bot.storage.db import make_engine, session_scope
from bot.storage.models import Responder, utcnow


def _principal(db) -> Responder:  # type: ignore[no-untyped-def]
    return db.query(Responder).filter_by(code="kupres-os-1-principal").one()


def test_a_code_is_short_unambiguous_and_stored_only_as_a_keyed_hash(db) -> None:
    now = utcnow()
    issued = issue(db, "kupres-os-1-principal", now=now)
    assert re.fullmatch(rf"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}", issued.code)
    assert issued.responder_name == "Uzorak Direktor Kupres OŠ"
    principal = _principal(db)
    compact = issued.code.replace("-", "")
    assert principal.enrol_code_hash == pseudonym("staff-enrol", compact)
    assert compact not in principal.enrol_code_hash
    assert principal.enrol_expires_at == now + timedelta(hours=72) == issued.expires_at


def test_redeeming_links_the_chat_once(db) -> None:
    issued = issue(db, "kupres-os-1-principal")
    typed = issued.code.lower().replace("-", " ")  # as a person might type it
    responder = redeem(db, typed, 555123)
    assert responder is not None and responder.code == "kupres-os-1-principal"
    assert responder.telegram_chat_id == "555123"
    assert responder.enrol_code_hash is None and responder.enrol_expires_at is None
    assert by_telegram_chat(db, 555123).code == "kupres-os-1-principal"
    assert redeem(db, issued.code, 555999) is None  # spent
    assert _principal(db).telegram_chat_id == "555123"


def test_a_new_code_replaces_the_old_one(db) -> None:
    first = issue(db, "kupres-os-1-principal")
    second = issue(db, "kupres-os-1-principal")
    assert redeem(db, first.code, 555123) is None
    assert redeem(db, second.code, 555123).code == "kupres-os-1-principal"


def test_an_expired_code_is_refused_and_forgotten(db) -> None:
    issued = issue(db, "kupres-os-1-principal", now=utcnow() - timedelta(hours=73))
    assert redeem(db, issued.code, 555123) is None
    principal = _principal(db)
    assert principal.enrol_code_hash is None and principal.telegram_chat_id == "7000000063"


def test_a_code_of_a_retired_responder_is_refused(db) -> None:
    issued = issue(db, "kupres-os-1-principal")
    _principal(db).active = False
    assert redeem(db, issued.code, 555123) is None
    with pytest.raises(EnrolmentError, match="no active responder with code 'kupres-os-1-principal'"):
        issue(db, "kupres-os-1-principal")
    with pytest.raises(EnrolmentError):
        issue(db, "nobody")


def test_guessing_locks_the_chat_out(db) -> None:
    issued = issue(db, "kupres-os-1-principal")
    now = utcnow()
    for _ in range(MAX_FAILURES):
        assert redeem(db, "ABCD-EFGH", 555123, now=now) is None
    assert redeem(db, issued.code, 555123, now=now) is None  # right, but locked
    assert redeem(db, issued.code, 555777, now=now).code == "kupres-os-1-principal"  # other chat


def test_the_lock_out_ends(db) -> None:
    issued = issue(db, "kupres-os-1-principal")
    now = utcnow()
    for _ in range(MAX_FAILURES):
        redeem(db, "ABCD-EFGH", 555123, now=now)
    later = now + LOCK_DURATION + timedelta(seconds=1)
    assert redeem(db, issued.code, 555123, now=later).telegram_chat_id == "555123"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("abcd-efgh", "ABCDEFGH"),
        (" ABCD EFGH ", "ABCDEFGH"),
        ("АВСD-ЕFGН", "ABCDEFGH"),  # Cyrillic look-alikes
        ("ABCD-EFG0", None),  # 0 is not in the alphabet
        ("ABCD", None),
        ("", None),
    ],
)
def test_typed_codes_are_forgiving(typed: str, expected: str | None) -> None:
    assert normalize_enrolment_code(typed) == expected


def test_cli_enrol_prints_the_code_once_and_it_works(app_database: str) -> None:
    result = CliRunner().invoke(main, ["staff", "enrol", "drvar-ss-1-pedagogue"])
    assert result.exit_code == 0, result.output
    code = re.search(r"/enrol (\w{4}-\w{4})", result.output).group(1)
    assert "Uzorak Pedagog Drvar SŠ" in result.output and "Europe/Sarajevo" in result.output
    with session_scope(make_engine(app_database)) as session:
        assert redeem(session, code, 424242).code == "drvar-ss-1-pedagogue"
    unknown = CliRunner().invoke(main, ["staff", "enrol", "nobody"])
    assert unknown.exit_code == 1 and "no active responder with code 'nobody'" in unknown.output


def test_cli_list_shows_enrolment_but_never_a_phone(app_database: str) -> None:
    with session_scope(make_engine(app_database)) as session:
        session.query(Responder).filter_by(code="livno-os-1-principal").one().telegram_chat_id = None
    result = CliRunner().invoke(main, ["staff", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["code", "role", "school/area", "channels", "enrolled"]
    assert len(lines) == 1 + 48  # 47 who are alerted, and the administrator
    assert "+387" not in result.output and "63900" not in result.output
    row = {line.split()[0]: line.split() for line in lines[1:]}
    assert row["livno-os-1-principal"] == ["livno-os-1-principal", "principal", "livno-os-1", "telegram", "sms", "no"]
    assert row["k10-coordinator"][1:] == ["coordinator", "canton", "telegram", "sms", "yes"]
    assert row["k10-admin"][1:3] == ["administrator", "canton"] and row["k10-admin"][-1] == "no"
    assert row["police-k10"][1:] == ["police", "canton", "sms", "no"]
    assert row["red-cross-duty-kupres"][2] == "kupres"
