from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from bot.cli import main
from bot.console.accounts import accept_invitation, invite, invited_account, reset, sign_in
from bot.console.two_factor import code_for, new_secret
from bot.storage.models import StaffAccount

NOW = datetime(2026, 12, 3, 10, 0, 0, tzinfo=timezone.utc)
PASSPHRASE = "zeleni most iznad Cetine"
WHO = "livno-os-1-pedagogue"


def _active(session, now=NOW):  # type: ignore[no-untyped-def]
    link = invite(session, WHO, now).link
    account = invited_account(session, link.rsplit("/", 1)[1], now)
    secret = new_secret()
    assert accept_invitation(session, account, PASSPHRASE, secret, code_for(secret, now), now) == []
    return secret


def test_an_invitation_works_once_and_for_72_hours(session) -> None:
    token = invite(session, WHO, NOW).link.rsplit("/", 1)[1]
    assert invited_account(session, token, NOW + timedelta(hours=71)) is not None
    assert invited_account(session, token, NOW + timedelta(hours=73)) is None
    account = invited_account(session, token, NOW)
    secret = new_secret()
    assert accept_invitation(session, account, PASSPHRASE, secret, code_for(secret, NOW), NOW) == []
    assert invited_account(session, token, NOW) is None
    stored = session.query(StaffAccount).one()
    assert PASSPHRASE not in (stored.password_hash or "") and secret not in (stored.sealed_totp_secret or "")


def test_a_weak_password_or_a_wrong_code_keeps_the_invitation_open(session) -> None:
    token = invite(session, WHO, NOW).link.rsplit("/", 1)[1]
    account = invited_account(session, token, NOW)
    secret = new_secret()
    assert accept_invitation(session, account, "lozinka123", secret, code_for(secret, NOW), NOW)
    assert accept_invitation(session, account, PASSPHRASE, secret, "000000", NOW)
    assert invited_account(session, token, NOW) is not None


def test_sign_in_needs_password_and_a_fresh_code_and_says_the_same_for_either_mistake(session) -> None:
    secret = _active(session)
    later = NOW + timedelta(minutes=2)
    assert sign_in(session, WHO, "wrong password here", code_for(secret, later), later)[0] == "refused"
    assert sign_in(session, WHO, PASSPHRASE, "000000", later)[0] == "refused"
    assert sign_in(session, "nobody-at-all", PASSPHRASE, code_for(secret, later), later)[0] == "refused"
    outcome, account = sign_in(session, WHO, PASSPHRASE, code_for(secret, later), later)
    assert outcome == "ok" and account is not None and account.responder.code == WHO
    assert sign_in(session, WHO, PASSPHRASE, code_for(secret, later), later)[0] == "refused"  # the code was used


def test_five_failures_lock_the_account_for_fifteen_minutes(session) -> None:
    secret = _active(session)
    outcomes = [sign_in(session, WHO, "wrong password here", "000000", NOW)[0] for _ in range(5)]
    assert outcomes == ["refused"] * 4 + ["locked"]
    assert sign_in(session, WHO, PASSPHRASE, code_for(secret, NOW), NOW)[0] == "locked"
    later = NOW + timedelta(minutes=16)
    assert sign_in(session, WHO, PASSPHRASE, code_for(secret, later), later)[0] == "ok"


def test_a_reset_revokes_password_and_second_factor(session) -> None:
    secret = _active(session)
    reset(session, WHO)
    later = NOW + timedelta(minutes=1)
    assert sign_in(session, WHO, PASSPHRASE, code_for(secret, later), later)[0] == "refused"


def test_the_cli_prints_an_invitation_link_and_resets(app_database: str, monkeypatch) -> None:
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", "https://konzola.example.ba")
    result = CliRunner().invoke(main, ["staff", "invite", WHO])
    assert result.exit_code == 0, result.output
    assert "https://konzola.example.ba/invite/" in result.output
    assert CliRunner().invoke(main, ["staff", "reset", WHO]).exit_code == 0
    unknown = CliRunner().invoke(main, ["staff", "invite", "nobody"])
    assert unknown.exit_code != 0 and "no active responder" in unknown.output
