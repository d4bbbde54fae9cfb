"""The daily SMS caps, on a real database."""

from datetime import timedelta

from sqlalchemy.orm import Session

from bot.channels import sms_budget
from bot.settings import FloodLimits
from bot.storage.models import SmsSpend, utcnow

LIMITS = FloodLimits(messages_per_minute=0, messages_per_day=0, sms_segments_per_sender_day=10, sms_segments_per_day=25)


def test_a_sender_within_the_caps_may_send(session: Session) -> None:
    sms_budget.record(session, "child", 9, "reply")
    assert sms_budget.decide(session, "child", 1, LIMITS) == sms_budget.Decision(True)


def test_the_sender_cap_holds_and_the_notice_is_due_once(session: Session) -> None:
    sms_budget.record(session, "flooder", 9, "reply")
    assert sms_budget.decide(session, "flooder", 2, LIMITS) == sms_budget.Decision(False, "sender", True)
    sms_budget.record(session, "flooder", 1, "notice")
    assert sms_budget.decide(session, "flooder", 1, LIMITS) == sms_budget.Decision(False, "sender", False)
    # Someone else is not affected by one sender's spending.
    assert sms_budget.decide(session, "child", 2, LIMITS).allowed


def test_the_deployment_cap_holds_for_everyone(session: Session) -> None:
    for number in range(3):
        sms_budget.record(session, f"sender-{number}", 8, "reply")
    assert sms_budget.decide(session, "new-child", 2, LIMITS) == sms_budget.Decision(False, "deployment", True)


def test_yesterday_is_forgotten(session: Session) -> None:
    session.add(SmsSpend(conversation_id="child", segments=10, kind="reply", sent_at=utcnow() - timedelta(hours=25)))
    session.flush()
    assert sms_budget.decide(session, "child", 5, LIMITS).allowed


def test_held_replies_and_crises_past_a_cap_are_counted(session: Session) -> None:
    sms_budget.record(session, "flooder", 0, "held")
    sms_budget.record(session, "flooder", 0, "held")
    sms_budget.record(session, "child", 3, "crisis")
    assert sms_budget.held_today(session) == {"held": 2, "crisis": 1}


def test_purge_forgets_spending_older_than_two_days(session: Session) -> None:
    session.add(SmsSpend(conversation_id="child", segments=3, kind="reply", sent_at=utcnow() - timedelta(days=3)))
    sms_budget.record(session, "child", 2, "reply")
    session.flush()
    sms_budget.forget_old_spending(session)
    assert [row.segments for row in session.query(SmsSpend)] == [2]
