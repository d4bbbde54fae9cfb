"""`hotline worker`: sends the outbox and escalates overdue cases, forever.

Every tick: escalate the cases whose acknowledgement deadline passed (which queues their
alerts), claim due outbox rows, send them side by side, and record each result in its own
transaction, so a worker killed at any moment loses nothing (unsent rows stay pending,
and rows it was sending are sent again on start, or after outbox.STALE_SENDING when only
the recording of a result failed). An alert or a message to staff that fails for good
moves to the responder's next channel. Run one worker per database.

While the database is away the worker waits (logged once: bot.storage.availability), and
holds in memory the results of sends that finished meanwhile; they are recorded first
when it is back, so nothing is sent twice. An alert that goes out more than ALERT_LATE
after it was queued is recorded on its case as `alert_late`."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot import settings
from bot.alerts import compose as alerts
from bot.alerts import storm as alert_storm
from bot.cases import audit_trail
from bot.channels.clients import quiet_http_client_logs
from bot.followup import thread as followup
from bot.outbox import store as outbox
from bot.outbox.senders import Senders, is_permanent
from bot.privacy import reporter_addresses
from bot.routing import escalation
from bot.storage import availability
from bot.storage.db import in_session
from bot.storage.models import Case, OutboxMessage, Referral, Responder, utcnow

logger = logging.getLogger(__name__)

BATCH = 20
ALERT_LATE = timedelta(seconds=60)


def _after_sent(session: Session, outbox_id: int, now: datetime) -> None:
    row = outbox.mark_sent(session, outbox_id, now)
    if row.kind == "alert" and row.referral_id:
        referral = session.get(Referral, row.referral_id)
        if referral.status == "pending":
            referral.status, referral.alerted_at = "alerted", now
        audit_trail.record(session, referral.case, "alert_sent", f"{referral.responder.code} via {row.channel}")
        late = now - row.created_at if row.created_at else timedelta(0)
        if late > ALERT_LATE:  # the database or the API was away when it was due
            audit_trail.record(
                session,
                referral.case,
                "alert_late",
                f"{referral.responder.code} via {row.channel}: sent {int(late.total_seconds())} s after it was due",
            )
    elif row.kind == "reporter_message" and row.case_id:
        followup.mark_delivered(session, row.case_id, now, followup.message_id_of(row.dedupe_key))
    elif row.kind == followup.CRISIS_SEEN and row.case_id:
        reporter_addresses.forget_crisis_address(session, row.case_id)


def _after_failure(session: Session, outbox_id: int, error: str, now: datetime, permanent: bool = False) -> None:
    row = outbox.mark_failed(session, outbox_id, error, now, permanent=permanent)
    if row.status == "failed":
        _gave_up(session, row, error)


def _gave_up(session: Session, row: OutboxMessage, error: str) -> None:
    """A message that cannot be sent on its channel: logged on the case, and a message to
    staff (an alert, a reporter's answer) tries the responder's next channel."""
    logger.error("outbox %d (%s via %s) given up: %s", row.id, row.kind, row.channel, error)
    case = session.get(Case, row.case_id) if row.case_id else None
    if case is not None:
        audit_trail.record(session, case, "send_failed", f"{row.kind} via {row.channel}: {error[:200]}")
    responder = session.get(Responder, row.responder_id) if row.responder_id else None
    fallback = alerts.next_channel(responder, row.channel) if responder is not None else None
    if responder is None or fallback is None:
        return
    if row.kind == "alert" and row.referral_id and case is not None and case.closed_at is None:
        alerts.queue_alert(session, case, session.get(Referral, row.referral_id), channel=fallback)
    elif row.kind == "staff_message":
        key = row.dedupe_key.rsplit(":", 1)[0]  # the key without its channel
        alerts.queue_staff_message(session, responder, row.body, key, row.case_id, channel=fallback)


_NUMBER = re.compile(r"\+?\d[\d\s().-]{4,}\d")


def describe_error(error: BaseException) -> str:
    """An API error for logs and the case trail, with every long number (a phone number
    in a Twilio error, a chat id in a Telegram one) blanked out."""
    return _NUMBER.sub("[number]", f"{type(error).__name__}: {error}")[:300]


class Worker:
    def __init__(self, senders: Senders | None = None) -> None:
        self.senders = senders or Senders()
        # Tests travel in time with tick(now=...): results are recorded on the same clock,
        # so that a retry's backoff counts from the failure, not from the real time.
        self._offset = timedelta(0)
        # Results of sends the database could not take yet, recorded first when it is back.
        self._unrecorded: list[tuple[Callable[..., None], tuple[Any, ...]]] = []

    def _now(self) -> datetime:
        return utcnow() + self._offset

    async def start(self) -> None:
        recovered = await in_session(outbox.recover_interrupted)
        if recovered:
            logger.warning("%d message(s) interrupted by the last stop will be sent again", recovered)

    async def tick(self, now: datetime | None = None) -> int:
        """One round; `now` lets tests travel in time. Returns the messages handled."""
        self._offset = (now - utcnow()) if now is not None else timedelta(0)
        now = now or utcnow()
        await self._record_held_results()
        escalated = await self._escalate(now)
        if escalated:
            logger.warning("%d case(s) escalated", escalated)
        claimed = await in_session(outbox.claim_due, now, BATCH, _gave_up, alert_storm.batches)
        await asyncio.gather(*(self._send(message) for message in claimed))
        return len(claimed)

    async def _escalate(self, now: datetime) -> int:
        """Each overdue case in its own transaction: one that cannot be escalated (logged)
        must not hold back the others."""
        escalated = 0
        for case_id in await in_session(escalation.due_case_ids, now):
            try:
                escalated += await in_session(escalation.escalate_case, case_id, now)
            except Exception:
                logger.exception("case %d could not be escalated", case_id)
        return escalated

    async def _send(self, message: outbox.Claimed) -> None:
        try:
            await self.senders.send(message)
        except Exception as error:  # every failure is retried later; none stops the worker
            permanent = is_permanent(error)
            described = describe_error(error)
            logger.warning(
                "outbox %d attempt %d failed%s: %s",
                message.id,
                message.attempts,
                " for good" if permanent else "",
                described,
            )
            for outbox_id in message.ids:  # a storm's grouped alerts share one fate
                await self._record(_after_failure, outbox_id, described, self._now(), permanent)
            return
        for outbox_id in message.ids:
            await self._record(_after_sent, outbox_id, self._now())

    async def _record(self, function: Callable[..., None], *args: Any) -> None:
        """Record a send's result; held in memory while the database is away."""
        try:
            await in_session(function, *args)
        except Exception as error:
            if not availability.is_unavailable(error):
                raise
            availability.mark_down(error)
            self._unrecorded.append((function, args))

    async def _record_held_results(self) -> None:
        while self._unrecorded:
            function, args = self._unrecorded[0]
            try:
                await in_session(function, *args)  # raises while the database is still away
            except Exception as error:
                if availability.is_unavailable(error):
                    raise
                logger.exception("a held send result could not be recorded; it is dropped")
            self._unrecorded.pop(0)

    async def run(self, stop: asyncio.Event) -> None:
        started = False
        try:
            poll = settings.worker_poll_seconds()
            while not stop.is_set():
                try:
                    if not started:  # the database may be away at start as well
                        await self.start()
                        started = True
                    handled = await self.tick()
                except Exception as error:  # the database may be away for a moment; keep going
                    if availability.is_unavailable(error):
                        availability.mark_down(error)  # logged once, when it starts
                    else:
                        logger.exception("worker tick failed")
                    handled = 0
                else:
                    availability.mark_up()
                if handled < BATCH:
                    try:
                        await asyncio.wait_for(stop.wait(), timeout=poll)
                    except asyncio.TimeoutError:
                        pass
        finally:
            await self.senders.close()


def run_worker() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_http_client_logs()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        logger.info("worker started (poll every %.2f s)", settings.worker_poll_seconds())
        await Worker().run(stop)

    asyncio.run(main())
