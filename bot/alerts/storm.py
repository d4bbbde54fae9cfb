"""Alert storms: when many critical cases reach one person at once (a fight that twenty
children report, a wave of hoax messages), they get one message listing the cases, not
twenty messages each.

A person is in a storm when more than STORM_THRESHOLD unacknowledged critical cases were
referred to them within STORM_WINDOW, or are waiting for them now. Then all their due
critical alerts on a channel go out as one message (with one acknowledge button per
case on Telegram), at most one such message per STORM_SPACING: alerts that come in
meanwhile wait those few seconds and go in the next one. Nothing else waits for a storm:
the outbox claims critical alerts first (outbox.URGENT), and a storm is only theirs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.alerts.compose import is_reminder
from bot.alerts.crisis_details import contact_label, crisis_kind, first_step, place, words_line
from bot.followup.texts import label, staff_text
from bot.outbox import store as outbox
from bot.outbox.store import Batch
from bot.routing.deadlines import format_local
from bot.storage.models import Case, OutboxMessage, Referral, Responder

STORM_THRESHOLD = 3  # grouped once more than this many are open for one person
STORM_WINDOW = timedelta(minutes=10)
# Telegram delivers about one message a second to one chat: faster would only queue there.
STORM_SPACING = timedelta(seconds=1)
# By SMS a grouped message lists many cases: each case's words get one segment.
STORM_SMS_WORD_SEGMENTS = 1


def _is_critical_alert(row: OutboxMessage) -> bool:
    return (
        row.kind == "alert"
        and row.priority == outbox.URGENT
        and row.responder_id is not None
        and row.channel in (outbox.STAFF_TELEGRAM, outbox.SMS)
    )


def open_critical_cases(
    session: Session, responder_id: int, now: datetime, due_cases: Collection[int] = ()
) -> set[int]:
    """Unacknowledged, open critical cases referred to this person within STORM_WINDOW,
    or with an alert (a reminder) due for them now."""
    recent = or_(Referral.created_at >= now - STORM_WINDOW, Case.id.in_(due_cases))
    return set(
        session.scalars(
            select(Case.id)
            .join(Referral, Referral.case_id == Case.id)
            .where(
                Referral.responder_id == responder_id,
                recent,
                Case.severity == "critical",
                Case.acknowledged_at.is_(None),
                Case.closed_at.is_(None),
            )
        )
    )


def _due_critical_alerts(session: Session, responder_id: int, channel: str, now: datetime) -> list[OutboxMessage]:
    """All of this person's due critical alerts on a channel, also those beyond the
    worker's batch limit: a storm message lists them all."""
    query = (
        select(OutboxMessage)
        .where(
            outbox.due(now),
            OutboxMessage.kind == "alert",
            OutboxMessage.priority == outbox.URGENT,
            OutboxMessage.responder_id == responder_id,
            OutboxMessage.channel == channel,
        )
        .order_by(OutboxMessage.id)
    )
    return list(session.scalars(outbox.lock_rows(session, query)).all())


def _next_message_at(session: Session, responder_id: int, channel: str) -> datetime | None:
    """STORM_SPACING after the last message this person got on this channel."""
    last = session.scalar(
        select(func.max(OutboxMessage.sent_at)).where(
            OutboxMessage.responder_id == responder_id, OutboxMessage.channel == channel, OutboxMessage.status == "sent"
        )
    )
    return last + STORM_SPACING if last is not None else None


def _hold(rows: list[OutboxMessage], until: datetime) -> None:
    """Not due until `until`: held rows do not fill the worker's batch meanwhile, so
    another person's critical alert never waits behind them."""
    for row in rows:
        row.status, row.next_attempt_at = "pending", max(row.next_attempt_at, until)


def _case_lines(case: Case, number: int, reminder: bool, language: str, channel: str) -> list[str]:
    deadline = case.ack_deadline_at
    lines = [
        staff_text(
            "storm_case",
            language,
            number=number,
            code=case.code,
            reminder=staff_text("storm_reminder", language) if reminder else "",
            kind=label("crisis_kind", crisis_kind(case), language),
            place=place(case, language),
            contact=contact_label(case, language),
            deadline=format_local(deadline, language) if deadline else "-",
        )
    ]
    words = words_line(case, language, channel, sms_segments=STORM_SMS_WORD_SEGMENTS)
    return lines + [words] if words else lines


def storm_message(
    session: Session, responder: Responder, channel: str, rows: list[OutboxMessage], open_count: int
) -> Batch:
    """One message for a person's critical alerts: each case once (an alert and its
    reminder due together are one line), what to do first per kind, and how to
    acknowledge each."""
    language = responder.language or "bcs"
    by_case: dict[int, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        by_case[row.case_id].append(row)
    cases = [session.get(Case, case_id) for case_id in by_case]
    lines = [
        staff_text(
            "storm_header",
            language,
            open=max(open_count, len(cases)),
            minutes=int(STORM_WINDOW.total_seconds() // 60),
            listed=len(cases),
        )
    ]
    for number, case in enumerate(cases, start=1):
        reminder = all(is_reminder(row) for row in by_case[case.id])
        lines += [""] + _case_lines(case, number, reminder, language, channel)
    kinds = dict.fromkeys(crisis_kind(case) for case in cases)
    lines.append("")
    lines += [
        staff_text(
            "storm_first_step",
            language,
            kind=label("crisis_kind", kind, language),
            first_step=first_step(kind, language),
        )
        for kind in kinds
    ]
    buttons: list[dict[str, str]] = []
    if channel == outbox.SMS:
        lines.append(staff_text("storm_ack_hint_sms", language, code=cases[0].code))
    else:
        buttons = [
            {"title": staff_text("storm_ack_button", language, code=case.code), "payload": f"ack:{case.code}"}
            for case in cases
        ]
    return Batch(rows, "\n".join(lines), buttons)


def batches(session: Session, rows: list[OutboxMessage], now: datetime) -> list[Batch]:
    """The worker's outbox.Batcher: rows one message each, except a storm's critical
    alerts, grouped per person and channel (or held for STORM_SPACING)."""
    result: list[Batch] = []
    stormy: dict[tuple[int, str], list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        if _is_critical_alert(row):
            stormy[(row.responder_id, row.channel)].append(row)
        else:
            result.append(outbox.single(row))
    for (responder_id, channel), claimed in stormy.items():
        due = {row.id: row for row in claimed + _due_critical_alerts(session, responder_id, channel, now)}
        open_cases = open_critical_cases(session, responder_id, now, {row.case_id for row in due.values()})
        if len(open_cases) <= STORM_THRESHOLD:
            result += [outbox.single(row) for row in claimed]
            continue
        grouped = sorted(due.values(), key=lambda row: row.id)
        next_at = _next_message_at(session, responder_id, channel)
        if next_at is not None and next_at > now:
            _hold(grouped, next_at)  # the next message, in a moment, lists these too
        else:
            result.append(
                storm_message(session, session.get(Responder, responder_id), channel, grouped, len(open_cases))
            )
    return result
