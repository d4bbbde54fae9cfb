"""The staff console in a real Chromium (pytest-playwright, Debian's browser) against the
running hotline: the trained model and action server, the worker, the console process and
the fake Telegram API. A reporter writes over Telegram; staff sign in with password and
TOTP and work the case; what the reporter is told arrives at the fake Telegram API.
Screenshots of the queue and the case page are kept under results/console/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.console import two_factor
from bot.devtools.channel_client import post_telegram, telegram_sent, text_update, wait_telegram
from bot.devtools.stack import Stack
from bot.paths import PROJECT_DIR
from bot.routing.escalation import due_case_ids
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case, utcnow
from tests.helpers.console import PASSWORD, SECRET, open_account
from tests.helpers.reports import telegram_report

pytestmark = pytest.mark.model

SCREENSHOTS = PROJECT_DIR / "results" / "console"
STAFF = "k10-coordinator"
CRISIS = "Jedan dečko iz razreda ima nož i prijeti da će me ubiti sada"


def _shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _sign_in(page: Page, stack: Stack, otp: str | None = None) -> None:
    page.goto(f"{stack.console_url}/sign-in")
    page.fill("input[name=code]", STAFF)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp]", otp or two_factor.code_for(SECRET, utcnow()))
    page.click("form[action='/sign-in'] button")


def _case(stack: Stack, code: str) -> Case:
    with session_scope(engine_for(stack.database_url)) as session:
        return session.scalars(select(Case).where(Case.code == code)).one()


@pytest.fixture
def account(stack: Stack) -> None:
    """An account opened by invitation two minutes ago (its enrolment code is used up)."""
    open_account(engine_for(stack.database_url), STAFF, utcnow() - timedelta(minutes=2))


def test_sign_in_needs_the_password_and_a_current_code(stack: Stack, account: None, page: Page) -> None:
    _sign_in(page, stack, otp="000000")
    expect(page.locator("[role=alert]")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    _sign_in(page, stack)
    expect(page).to_have_url(re.compile(r"/queue$"))
    expect(page.locator("h1")).to_have_text(re.compile("Prijave|Cases"))


def test_staff_work_a_case_from_queue_to_close_and_the_reporter_hears(stack: Stack, account: None, page: Page) -> None:
    reporter, child_in_danger = 790001, 790002  # chats no other end-to-end test uses
    code = telegram_report(stack, reporter, "da")
    _sign_in(page, stack)
    queue = page.locator("ol.cases")
    expect(queue).to_contain_text(code)

    # A crisis message while the queue is open: the row and the title's banner, unreloaded.
    assert post_telegram(stack, text_update(child_in_danger, CRISIS)) == 200
    critical_row = page.locator("li.case.sev-critical")
    expect(critical_row).to_have_count(1, timeout=15_000)
    expect(page).to_have_title(re.compile(r"^\(!\)"), timeout=15_000)
    expect(page.locator(".banner.critical")).to_be_visible()
    _shot(page, "queue")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "queue-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Opening the critical case, and acknowledging it: escalation stops, the child hears.
    critical_row.locator("a").click()
    expect(page.locator("h1 .code")).to_be_visible()
    crisis_code = page.locator("h1 .code").inner_text()
    _shot(page, "case")
    before = len(telegram_sent(stack, child_in_danger))
    page.click("form[action$='/acknowledge'] button")
    expect(page.locator(".notice.ok")).to_be_visible()
    crisis = _case(stack, crisis_code)
    assert crisis.acknowledged_at is not None and crisis.ack_deadline_at is None
    with session_scope(engine_for(stack.database_url)) as session:
        assert crisis.id not in due_case_ids(session, utcnow() + timedelta(days=1))
    seen = wait_telegram(stack, child_in_danger, before + 1)[-1]["text"]
    assert "122" in seen  # "an adult has seen your message ... if you are in danger, call 122"

    # The report: a reply, confirmed, reaches the reporter over Telegram.
    page.goto(f"{stack.console_url}/cases/{code}")
    before = len(telegram_sent(stack, reporter))
    page.fill("form[action$='/reply'] textarea", "Možemo li se čuti sutra u velikom odmoru?")
    page.click("form[action$='/reply'].to-reporter-form button")
    expect(page.locator(".confirm")).to_be_visible()
    page.click(".confirm button.primary")
    pushed = wait_telegram(stack, reporter, before + 1)[-1]["text"]
    assert "Možemo li se čuti sutra u velikom odmoru?" in pushed and code in pushed
    expect(page.locator(".message.to-reporter")).to_contain_text("velikom odmoru")

    # An internal note: shown as a note, never sent to the reporter.
    told = len(telegram_sent(stack, reporter))
    page.fill("form[action$='/note'] textarea", "Razrednica je obaviještena, prati situaciju.")
    page.click("form[action$='/note'] button")
    expect(page.locator(".notes .note")).to_contain_text("Razrednica je obaviještena")
    _shot(page, "case-thread-and-notes")
    page.wait_for_timeout(1500)  # the worker would have sent anything queued by now
    assert len(telegram_sent(stack, reporter)) == told

    # Closing with an outcome: the reporter is told.
    page.select_option("form[action$='/close'] select", "acted_on")
    page.click("form[action$='/close'] button")
    expect(page.locator(".notice.ok")).to_be_visible()
    outcome = wait_telegram(stack, reporter, told + 1)[-1]["text"]
    assert code in outcome
    assert _case(stack, code).outcome == "acted_on"
