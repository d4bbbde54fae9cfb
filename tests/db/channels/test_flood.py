"""The per-sender rate limit, counted from the inbox of a real database."""

from datetime import timedelta

from sqlalchemy.orm import Session

from bot.channels import flood, inbox
from bot.settings import FloodLimits
from bot.storage.models import InboxMessage, utcnow

LIMITS = FloodLimits(messages_per_minute=3, messages_per_day=5, sms_segments_per_sender_day=0, sms_segments_per_day=0)


def _receive(session: Session, conversation: str, number: int, ago: timedelta = timedelta()) -> int:
    inbox_id = inbox.record(
        session, inbox.Delivery("telegram", f"{conversation}-{number}", conversation, "addr", "hello", {})
    )
    assert inbox_id is not None
    session.get(InboxMessage, inbox_id).received_at = utcnow() - ago  # type: ignore[union-attr]
    session.flush()
    return inbox_id


def test_within_the_limits_nothing_is_held() -> None:
    assert flood.judge(flood.Counts(3, 5), LIMITS) == flood.Verdict(False)


def test_only_the_message_that_crosses_a_limit_gets_the_notice() -> None:
    assert flood.judge(flood.Counts(4, 4), LIMITS) == flood.Verdict(True, notice_due=True)
    assert flood.judge(flood.Counts(5, 5), LIMITS) == flood.Verdict(True, notice_due=False)
    assert flood.judge(flood.Counts(1, 6), LIMITS) == flood.Verdict(True, notice_due=True)


def test_a_limit_of_zero_is_off() -> None:
    off = FloodLimits(0, 0, 0, 0)
    assert flood.judge(flood.Counts(1000, 100000), off) == flood.Verdict(False)


def test_counts_are_per_conversation_and_per_window(session: Session) -> None:
    for number in range(3):
        _receive(session, "flooder", number, ago=timedelta(hours=2))
    ids = [_receive(session, "flooder", number) for number in range(3, 6)]
    _receive(session, "someone-else", 0)
    assert flood.counts(session, "flooder", ids[0]) == flood.Counts(1, 4)
    assert flood.counts(session, "flooder", ids[-1]) == flood.Counts(3, 6)
    # A message counts the ones before it, not those that came in after it.
    assert flood.counts(session, "someone-else", ids[-1] + 1).last_minute == 1


def test_limited_messages_are_counted_for_operators(session: Session) -> None:
    held = _receive(session, "flooder", 0)
    inbox.finish(session, held, flood.LIMITED)
    assert flood.limited_today(session) == 1
