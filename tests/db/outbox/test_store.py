"""The outbox on both databases: at most one row per key, claiming with addresses read at
send time (never stored), failures with exponential backoff, and recovery after a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.outbox import store as outbox
from bot.privacy import reporter_addresses
from bot.storage.db import session_scope
from bot.storage.models import Case, ContactVaultEntry, OutboxMessage, utcnow
from tests.helpers.cases import new_case, responder


def to_staff(
    session,
    code: str,
    channel: str = outbox.STAFF_TELEGRAM,
    key: str | None = None,  # type: ignore[no-untyped-def]
    **extra,
) -> OutboxMessage:
    person = responder(session, code)
    row = outbox.enqueue(
        session,
        dedupe_key=key or f"test:{code}:{channel}",
        kind="alert",
        channel=channel,
        body=f"Alert for {code}",
        responder_id=person.id,
        **extra,
    )
    assert row is not None
    return row


def to_reporter(session, case: Case, key: str = "notice:1") -> OutboxMessage:  # type: ignore[no-untyped-def]
    row = outbox.enqueue(
        session,
        dedupe_key=key,
        kind="reporter_notice",
        channel=outbox.REPORTER,
        body="Tvoja prijava je viđena.",
        case_id=case.id,
    )
    assert row is not None
    return row


def soon():  # type: ignore[no-untyped-def]
    """A moment every row enqueued so far is due at."""
    return utcnow() + timedelta(seconds=1)


def test_a_key_is_queued_once(session) -> None:
    first = to_staff(session, "livno-os-1-pedagogue", key="alert:1:staff_telegram")
    again = outbox.enqueue(
        session, dedupe_key="alert:1:staff_telegram", kind="alert", channel=outbox.STAFF_TELEGRAM, body="other"
    )
    assert again is None
    assert session.scalars(select(OutboxMessage)).all() == [first]
    assert (first.status, first.attempts, first.body) == ("pending", 0, "Alert for livno-os-1-pedagogue")


def test_a_key_is_queued_once_across_transactions(engine) -> None:
    with session_scope(engine) as session:
        to_staff(session, "livno-os-1-pedagogue", key="alert:7:sms", channel=outbox.SMS)
    with session_scope(engine) as session:
        assert outbox.enqueue(session, dedupe_key="alert:7:sms", kind="alert", channel=outbox.SMS, body="x") is None


def test_buttons_are_kept_with_the_row(session) -> None:
    row = to_staff(
        session, "livno-os-1-pedagogue", buttons=[{"title": "Potvrđujem prijem", "payload": "ack:JS-2222-3333"}]
    )
    [claimed] = outbox.claim_due(session, soon())
    assert claimed.buttons == [{"title": "Potvrđujem prijem", "payload": "ack:JS-2222-3333"}]
    assert claimed.id == row.id and claimed.kind == "alert"


def test_claiming_resolves_addresses_and_stores_none_of_them(session) -> None:
    case = new_case(session, school=None)
    reporter_addresses.request_contact(session, "conv-out", case.id)
    session.flush()
    reporter_addresses.fill(session, "conv-out", "sms", "+38761222333")
    telegram = to_staff(session, "livno-os-1-pedagogue")
    sms = to_staff(session, "livno-os-1-principal", channel=outbox.SMS)
    reporter = to_reporter(session, case)
    now = soon()
    claimed = outbox.claim_due(session, now)
    assert [(c.id, c.channel, c.address, c.attempts) for c in claimed] == [
        (telegram.id, "staff_telegram", "7000000011", 1),
        (sms.id, "sms", "+38763900013", 1),
        (reporter.id, "sms", "+38761222333", 1),
    ]
    session.flush()
    for row in (telegram, sms, reporter):
        assert row.status == "sending" and row.claimed_at is not None
        stored = " ".join(str(getattr(row, column.key)) for column in OutboxMessage.__table__.columns)
        for address in ("7000000011", "38763900013", "61222333"):
            assert address not in stored
    assert outbox.claim_due(session, now) == []  # sending rows are not claimed twice


def test_only_due_rows_are_claimed_in_order_and_up_to_the_limit(session) -> None:
    rows = [
        to_staff(session, code) for code in ("livno-os-1-pedagogue", "livno-os-2-pedagogue", "kupres-os-1-pedagogue")
    ]
    rows[0].next_attempt_at = utcnow() + timedelta(minutes=5)
    session.flush()
    assert [c.id for c in outbox.claim_due(session, soon(), limit=1)] == [rows[1].id]
    assert [c.id for c in outbox.claim_due(session, soon())] == [rows[2].id]
    assert [c.id for c in outbox.claim_due(session, utcnow() + timedelta(minutes=6))] == [rows[0].id]


def test_a_recipient_without_an_address_fails_at_once(session) -> None:
    case = new_case(session, school=None)
    unenrolled = to_staff(session, "livno-os-1-pedagogue")
    responder(session, "livno-os-1-pedagogue").telegram_chat_id = None
    no_phone = to_staff(session, "livno-os-1-principal", channel=outbox.SMS)
    responder(session, "livno-os-1-principal").sealed_phone = None
    no_consent = to_reporter(session, case)
    fine = to_staff(session, "livno-os-2-pedagogue")
    given_up = []
    claimed = outbox.claim_due(session, soon(), on_unreachable=lambda s, row, error: given_up.append((row.id, error)))
    assert [c.id for c in claimed] == [fine.id]
    assert given_up == [(r.id, "no address for this recipient") for r in (unenrolled, no_phone, no_consent)]
    for row in (unenrolled, no_phone, no_consent):
        assert (row.status, row.attempts) == ("failed", 0)


def test_an_expired_contact_is_no_address(session) -> None:
    case = new_case(session, school=None)
    reporter_addresses.request_contact(session, "conv-old", case.id)
    session.flush()
    reporter_addresses.fill(session, "conv-old", "telegram", "555")
    session.execute(update(ContactVaultEntry).values(expires_at=utcnow() - timedelta(days=1)))
    row = to_reporter(session, case)
    assert outbox.claim_due(session, soon()) == [] and row.status == "failed"


def test_an_address_that_cannot_be_opened_fails_that_row_only(session) -> None:
    broken = to_staff(session, "livno-os-1-pedagogue", channel=outbox.SMS)
    responder(session, "livno-os-1-pedagogue").sealed_phone = "not-a-fernet-token"
    fine = to_staff(session, "livno-os-2-pedagogue", channel=outbox.SMS)
    claimed = outbox.claim_due(session, soon())
    assert [c.address for c in claimed] == ["+38763900021"]
    assert (broken.status, fine.status) == ("failed", "sending")
    assert "cannot be opened" in broken.last_error


def test_a_failed_send_backs_off_exponentially(session) -> None:
    row = to_staff(session, "livno-os-1-pedagogue")
    now = soon()
    delays = []
    for attempt in range(1, 11):
        [claimed] = outbox.claim_due(session, now)
        assert claimed.attempts == attempt
        outbox.mark_failed(session, row.id, "NetworkError: down", now)
        assert (row.status, row.last_error) == ("pending", "NetworkError: down")
        delay = row.next_attempt_at - now
        delays.append(delay.total_seconds())
        assert outbox.claim_due(session, now + delay - timedelta(milliseconds=1)) == []
        now += delay
    assert delays == [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert outbox.retry_delay(11) == timedelta(seconds=300)  # at most five minutes
    assert outbox.retry_delay(40) == timedelta(seconds=300)


def test_after_max_attempts_a_row_fails_for_good(session) -> None:
    row = to_staff(session, "livno-os-1-pedagogue")
    now = soon()
    for attempt in range(outbox.MAX_ATTEMPTS):
        [claimed] = outbox.claim_due(session, now)
        outbox.mark_failed(session, claimed.id, f"error {attempt + 1}", now)
        now += timedelta(minutes=10)
    assert (row.status, row.attempts, row.last_error) == ("failed", outbox.MAX_ATTEMPTS, f"error {outbox.MAX_ATTEMPTS}")
    assert outbox.claim_due(session, now + timedelta(days=1)) == []


def test_a_permanent_error_fails_at_once(session) -> None:
    row = to_staff(session, "livno-os-1-pedagogue")
    [claimed] = outbox.claim_due(session, soon())
    outbox.mark_failed(session, claimed.id, "Forbidden: bot was blocked by the user", soon(), permanent=True)
    assert (row.status, row.attempts) == ("failed", 1)


def test_a_long_error_is_cut(session) -> None:
    row = to_staff(session, "livno-os-1-pedagogue")
    outbox.claim_due(session, soon())
    outbox.mark_failed(session, row.id, "x" * 2000, soon())
    assert len(row.last_error) == 500


def test_sent_rows_are_done(session) -> None:
    row = to_staff(session, "livno-os-1-pedagogue")
    outbox.claim_due(session, soon())
    outbox.mark_failed(session, row.id, "first try failed", soon())
    outbox.claim_due(session, soon() + timedelta(seconds=1))
    now = utcnow()
    assert outbox.mark_sent(session, row.id, now) is row
    assert (row.status, row.last_error, row.attempts) == ("sent", None, 2)
    assert outbox.claim_due(session, now + timedelta(days=1)) == []


def test_rows_left_sending_by_a_crash_are_sent_again(engine) -> None:
    with session_scope(engine) as session:
        ids = [
            to_staff(session, code).id
            for code in ("livno-os-1-pedagogue", "livno-os-2-pedagogue", "kupres-os-1-pedagogue")
        ]
    with session_scope(engine) as session:  # the worker that crashed
        claimed = outbox.claim_due(session, soon())
        outbox.mark_sent(session, claimed[0].id, utcnow())
    with session_scope(engine) as session:  # the worker that starts next
        assert outbox.recover_interrupted(session) == 2
    with session_scope(engine) as session:
        again = outbox.claim_due(session, soon())
        assert [(c.id, c.attempts) for c in again] == [(ids[1], 2), (ids[2], 2)]
        assert outbox.recover_interrupted(session) == 2  # they are `sending` again
        assert outbox.counts(session) == {"sent": 1, "pending": 2}


def test_a_row_left_sending_for_long_is_due_again(session) -> None:
    stale, recent = (to_staff(session, code) for code in ("livno-os-1-pedagogue", "livno-os-2-pedagogue"))
    now = soon()
    outbox.claim_due(session, now)
    stale.claimed_at = now - outbox.STALE_SENDING
    session.flush()
    # The worker lost the result of the first send (the database was away): sent again
    # without a restart; the other one is still being sent.
    assert [(c.id, c.attempts) for c in outbox.claim_due(session, now)] == [(stale.id, 2)]
    assert (stale.status, recent.status) == ("sending", "sending")


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([], {}),
        (["pending", "pending", "failed"], {"pending": 2, "failed": 1}),
    ],
)
def test_counts_by_status(session, statuses, expected) -> None:
    for index, status in enumerate(statuses):
        to_staff(session, "livno-os-1-pedagogue", key=f"k{index}").status = status
    session.flush()
    assert outbox.counts(session) == expected


def test_urgent_rows_are_claimed_first_whatever_their_age(session) -> None:
    older = [to_staff(session, "livno-os-1-pedagogue", key=f"normal:{n}") for n in range(3)]
    urgent = to_staff(session, "livno-os-1-principal", key="urgent:1", priority=outbox.URGENT)
    [first] = outbox.claim_due(session, soon(), limit=1)
    assert first.ids == (urgent.id,)
    assert [c.id for c in outbox.claim_due(session, soon())] == [row.id for row in older]


def test_a_batcher_sends_several_rows_as_one_message_and_may_hold_others(session) -> None:
    rows = [to_staff(session, "livno-os-1-pedagogue", key=f"alert:{n}") for n in range(3)]

    def first_two_together(session, due, now):  # type: ignore[no-untyped-def]
        return [outbox.Batch(due[:2], "two alerts", [])]

    [claimed] = outbox.claim_due(session, soon(), batcher=first_two_together)
    assert claimed.ids == (rows[0].id, rows[1].id) and claimed.body == "two alerts"
    assert [row.status for row in rows] == ["sending", "sending", "pending"]
