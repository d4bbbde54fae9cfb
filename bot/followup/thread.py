"""The anonymous thread between staff and a reporter.

Staff write with the staff bot, by SMS or with `hotline case reply`. The message goes out
through the reporter's own channel when they agreed to be contacted (the contact vault),
and otherwise waits until they check in with code and PIN. While a follow-up window is
open for a conversation, what the reporter writes is an answer: it joins the thread and
is forwarded to the staff on the case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.alerts import compose as alerts
from bot.cases import access, audit_trail
from bot.cases.codes import normalize_case_code
from bot.cases.vocabulary import OUTCOMES, Outcome
from bot.followup.texts import reporter_text, staff_text
from bot.outbox import store as outbox
from bot.privacy import reporter_addresses
from bot.storage.models import Case, CaseMessage, ChannelState, FollowupWindow, Referral, Responder
from bot.text import emergency_numbers

WINDOW = timedelta(hours=24)
# The outbox kind of the one message a crisis conversation's address may carry: the
# address purpose of the same name.
CRISIS_SEEN = reporter_addresses.CRISIS_SEEN


def case_by_code(session: Session, typed_code: str) -> Case | None:
    code = normalize_case_code(typed_code or "")
    return session.scalars(select(Case).where(Case.code == code)).one_or_none() if code else None


def may_act_on(session: Session, case: Case, responder: Responder) -> bool:
    """Whether this responder may act on the case (bot.cases.access has the rule)."""
    return access.may_see(session, case, responder)


# -- to the reporter -------------------------------------------------------------------
def push_to_reporter(session: Session, case: Case, text: str, dedupe_key: str, kind: str = "reporter_notice") -> bool:
    """Queue a message to the reporter's channel; False when they cannot be contacted
    (no consent, the address expired, or they sent STOP: then it waits for a check-in).
    A CRISIS_SEEN message may also use a crisis conversation's address."""
    purpose: reporter_addresses.Purpose = reporter_addresses.FOLLOWUP
    if kind == CRISIS_SEEN:
        purpose = reporter_addresses.CRISIS_SEEN
    conversation = reporter_addresses.conversation_for_case(session, case.id, purpose)
    if conversation is None:
        return False
    state = session.get(ChannelState, conversation)
    if state is not None and state.opted_out:
        return False
    outbox.enqueue(
        session,
        dedupe_key=dedupe_key,
        kind=kind,
        channel=outbox.REPORTER,
        body=text,
        case_id=case.id,
        priority=outbox.URGENT if kind == CRISIS_SEEN else outbox.NORMAL,
    )
    return True


def notify_reporter(session: Session, case: Case, key: str, kind: str = "reporter_notice") -> None:
    """Tell the reporter of a status change in one plain sentence: now through their
    channel if they agreed to contact, and at their next check-in in any case."""
    text = reporter_text(
        key, case.language, case.script, code=case.code, **emergency_numbers.placeholders(case.language)
    )
    event = audit_trail.record(session, case, "reporter_notice", text, visible=True)
    session.flush()
    push_to_reporter(session, case, text, f"notice:{event.id}", kind=kind)


def tell_crisis_seen(session: Session, case: Case, responder: Responder) -> None:
    """A critical case was acknowledged: the child hears, on their own channel, that an
    adult has seen it and is acting (the school's, or a service's), with the number to
    call if they are in danger."""
    key = "crisis_seen_school" if responder.school_id is not None else "crisis_seen"
    notify_reporter(session, case, key, kind=CRISIS_SEEN)


StaffReplyOutcome = Literal["sent", "waiting", "unknown_case"]


def staff_reply(
    session: Session,
    typed_code: str,
    responder: Responder,
    text: str,
) -> tuple[StaffReplyOutcome, Case | None]:
    case = case_by_code(session, typed_code)
    if case is None or not may_act_on(session, case, responder) or not text.strip():
        return "unknown_case", case
    message = CaseMessage(case_id=case.id, direction="to_reporter", responder_id=responder.id, body=text.strip())
    session.add(message)
    session.flush()
    audit_trail.record(session, case, "staff_message", f"message {message.id}", actor=responder.code)
    body = reporter_text("staff_message", case.language, case.script, code=case.code, text=message.body)
    sent = push_to_reporter(session, case, body, f"message:{message.id}", kind="reporter_message")
    return ("sent" if sent else "waiting"), case


def message_id_of(dedupe_key: str) -> int | None:
    """The thread message an outbox row of `staff_reply` carries (its key is message:<id>)."""
    prefix, _, number = (dedupe_key or "").partition(":")
    return int(number) if prefix == "message" and number.isdigit() else None


def mark_delivered(session: Session, case_id: int, now: datetime, message_id: int | None = None) -> None:
    """After a staff message reached the reporter: it counts as read, and their next
    messages are answers. With `message_id`, only that message: a later one whose send
    is still pending (or fails) must wait for the reporter's check-in."""
    for message in _unread(session, case_id):
        if message_id is None or message.id == message_id:
            message.delivered_at = message.read_at = now
    conversation = reporter_addresses.conversation_for_case(session, case_id)
    if conversation:
        open_window(session, conversation, case_id, now)


def _unread(session: Session, case_id: int) -> list[CaseMessage]:
    return list(
        session.scalars(
            select(CaseMessage)
            .where(
                CaseMessage.case_id == case_id, CaseMessage.direction == "to_reporter", CaseMessage.read_at.is_(None)
            )
            .order_by(CaseMessage.id)
        )
    )


def take_unread(session: Session, case: Case, now: datetime) -> list[str]:
    """Staff messages the reporter has not seen, marked read (shown at check-in)."""
    messages = _unread(session, case.id)
    for message in messages:
        message.read_at = now
    return [m.body for m in messages]


# -- from the reporter -----------------------------------------------------------------
def open_window(session: Session, conversation_id: str, case_id: int, now: datetime) -> None:
    window = session.get(FollowupWindow, conversation_id)
    if window is None:
        window = FollowupWindow(conversation_id=conversation_id)
        session.add(window)
    window.case_id, window.expires_at = case_id, now + WINDOW


def close_window(session: Session, conversation_id: str) -> None:
    session.execute(delete(FollowupWindow).where(FollowupWindow.conversation_id == conversation_id))


@dataclass(frozen=True)
class OpenThread:
    case_id: int
    code: str
    language: str
    script: str


def open_thread(session: Session, conversation_id: str, now: datetime) -> OpenThread | None:
    """The case a conversation is answering, while its window is open."""
    window = session.get(FollowupWindow, conversation_id)
    if window is None or window.expires_at < now:
        return None
    case = session.get(Case, window.case_id)
    if case is None or case.closed_at is not None:
        return None
    return OpenThread(case.id, case.code, case.language or "bcs", case.script or "latin")


def _case_staff(session: Session, case: Case) -> list[Responder]:
    """Who reads a reporter's answer: the case's owner, else everyone alerted in its chain."""
    if case.owner is not None:
        return [case.owner]
    referrals = session.scalars(
        select(Referral)
        .where(
            Referral.case_id == case.id,
            Referral.in_chain.is_(True),
            Referral.status.in_(("alerted", "acknowledged", "pending")),
        )
        .order_by(Referral.id)
    )
    return [r.responder for r in referrals]  # in the chain's order, on every database


def reporter_answer(session: Session, case_id: int, text: str) -> None:
    """Add the reporter's answer to the thread and forward it to the case's staff."""
    case = session.get(Case, case_id)
    message = CaseMessage(case_id=case.id, direction="from_reporter", body=text.strip())
    session.add(message)
    session.flush()
    audit_trail.record(session, case, "reporter_message", f"message {message.id}", actor="reporter")
    for responder in _case_staff(session, case):
        body = staff_text("reporter_answer", responder.language, code=case.code, text=message.body)
        alerts.queue_staff_message(session, responder, body, f"answer:{message.id}:{responder.id}", case_id=case.id)


# -- status ----------------------------------------------------------------------------
def set_in_progress(session: Session, case: Case, actor: str) -> None:
    case.status = "in_progress"
    audit_trail.record(session, case, "status", "in_progress", actor=actor)
    notify_reporter(session, case, "status_in_progress")


def close_case(session: Session, case: Case, outcome: Outcome, actor: str, now: datetime) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
    case.status, case.outcome, case.closed_at, case.ack_deadline_at = "closed", outcome, now, None
    audit_trail.record(session, case, "closed", outcome, actor=actor)
    notify_reporter(session, case, f"outcome_{outcome}")
