"""Staff alerts: what a referral sends to its responder, on which channel, in the
responder's language. An alert names the case, school, type, severity and deadline (a
critical alert also what is happening, where, and the child's words: bot.alerts.crisis_details),
and nothing about who reported it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from bot.alerts.crisis_details import crisis_lines
from bot.followup.texts import label, staff_text
from bot.outbox import store as outbox
from bot.routing.deadlines import format_local
from bot.storage.models import Case, Municipality, OutboxMessage, Referral, Responder, School

_CHANNELS = {"telegram": outbox.STAFF_TELEGRAM, "sms": outbox.SMS}
# Referrals whose responder has been (or is being) alerted: they hear the child's further
# messages. A referral still waiting for consent, declined or closed does not.
FORWARDED_STATUSES = ("pending", "alerted", "acknowledged")
_REMINDER_KEY = ":reminder-"  # in the outbox key of a reminder


def reachable_channels(responder: Responder) -> list[str]:
    """Outbox channels this responder can be reached on, in their order of preference."""
    found = []
    for name in (responder.channels or "telegram,sms").split(","):
        channel = _CHANNELS.get(name.strip())
        if (
            channel == outbox.STAFF_TELEGRAM
            and responder.telegram_chat_id
            or channel == outbox.SMS
            and responder.sealed_phone
        ):
            found.append(channel)
    return found


def _school(case: Case) -> School | None:
    """The case's school by its id: `case.school` keeps the school it was first read with
    when a crisis case learns its school later in the same session."""
    if case.school_id is None:
        return None
    session = object_session(case)
    return session.get(School, case.school_id) if session is not None else case.school


def school_line(case: Case, language: str) -> str:
    """The school, or whom a case without one went to: the schools of its town (a
    crisis that named only the town), else the cantonal coordinator."""
    school = _school(case)
    if school is not None:
        return school.name
    session = object_session(case)
    town = session.get(Municipality, case.municipality_id) if session and case.municipality_id else None
    if town is not None and case.severity == "critical":
        return staff_text("town_schools", language, town=town.name)
    return staff_text("no_school", language)


def alert_text(case: Case, language: str, channel: str, step: int = 0) -> str:
    deadline = case.ack_deadline_at  # SQLite reads it back without its zone
    lines = [staff_text("escalation_prefix", language, step=step)] if step else []
    lines.append(
        staff_text(
            "alert",
            language,
            code=case.code,
            school=school_line(case, language),
            type=label("incident_type", case.incident_type or "unknown", language),
            severity=label("severity", case.severity or "medium", language),
            deadline=format_local(deadline, language) if deadline else "-",
        )
    )
    if case.crisis_kind:
        lines += crisis_lines(case, language, channel)
    if channel == outbox.SMS:
        lines.append(staff_text("ack_hint_sms", language, code=case.code))
    return "\n".join(lines)


def ack_button(case: Case, language: str) -> list[dict[str, str]]:
    return [{"title": staff_text("ack_button", language), "payload": f"ack:{case.code}"}]


def ordinal(number: int, language: str) -> str:
    """ "3rd" in English, "3." in the local language."""
    if language != "en":
        return f"{number}."
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def reminder_line(number: int, language: str, added: Sequence[Responder], everyone: Sequence[Responder]) -> str:
    """ "3rd reminder: nobody has acknowledged yet; now also sent to ..." (or, when nobody
    was added, who has it)."""
    if added:
        sent_to = staff_text("reminder_added", language, names=", ".join(r.name for r in added))
    else:
        sent_to = staff_text("reminder_same", language, names=", ".join(r.name for r in everyone))
    return staff_text("reminder_prefix", language, round=ordinal(number, language), sent_to=sent_to)


def queue_alert(
    session: Session,
    case: Case,
    referral: Referral,
    channel: str | None = None,
    reminder: int = 0,
    added: Sequence[Responder] = (),
    everyone: Sequence[Responder] = (),
) -> OutboxMessage | None:
    """Queue the alert of a referral on the responder's first channel (or `channel`, for a
    fallback). None when the responder has no channel or this alert was queued before.
    `reminder` N > 0 is the Nth reminder of an alert nobody acknowledged: the same
    content, saying who was `added` now (or who has it: `everyone`)."""
    responder = referral.responder
    channels = reachable_channels(responder)
    channel = channel or (channels[0] if channels else None)
    if channel is None:
        return None
    language = responder.language or "bcs"
    body = alert_text(case, language, channel, referral.step or 0)
    if reminder:
        body = reminder_line(reminder, language, added, everyone) + "\n" + body
    key = f"alert:{referral.id}:{channel}" + (f"{_REMINDER_KEY}{reminder}" if reminder else "")
    return outbox.enqueue(
        session,
        dedupe_key=key,
        kind="alert",
        channel=channel,
        body=body,
        case_id=case.id,
        responder_id=responder.id,
        referral_id=referral.id,
        buttons=ack_button(case, language) if channel == outbox.STAFF_TELEGRAM else None,
        priority=outbox.URGENT if case.severity == "critical" else outbox.NORMAL,
    )


def is_reminder(row: OutboxMessage) -> bool:
    return row.kind == "alert" and _REMINDER_KEY in row.dedupe_key


def next_channel(responder: Responder, failed: str) -> str | None:
    """The responder's next channel after one that failed for good."""
    channels = reachable_channels(responder)
    later = channels[channels.index(failed) + 1 :] if failed in channels else []
    return later[0] if later else None


def queue_staff_message(
    session: Session,
    responder: Responder,
    body: str,
    dedupe_key: str,
    case_id: int | None = None,
    channel: str | None = None,
) -> OutboxMessage | None:
    """A message to a member of staff that is not an alert (a reporter's answer, a
    confirmation), on their first channel (or `channel`, for a fallback)."""
    channels = reachable_channels(responder)
    channel = channel or (channels[0] if channels else None)
    if channel is None:
        return None
    return outbox.enqueue(
        session,
        dedupe_key=f"{dedupe_key}:{channel}",
        kind="staff_message",
        channel=channel,
        body=body,
        case_id=case_id,
        responder_id=responder.id,
    )


def forward_to_alerted(session: Session, case: Case, text: str, dedupe_key: str) -> int:
    """A further message from the child in a live crisis case, to everyone already alerted
    about it ("new message in JS-…"); returns how many were queued."""
    queued = 0
    for referral in session.scalars(
        select(Referral)
        .where(Referral.case_id == case.id, Referral.status.in_(FORWARDED_STATUSES))
        .order_by(Referral.id)
    ):
        responder = referral.responder
        body = staff_text("crisis_message", responder.language or "bcs", code=case.code, text=text)
        if queue_staff_message(session, responder, body, f"{dedupe_key}:{responder.id}", case.id):
            queued += 1
    return queued
