"""A channel's outage desk: what happens to a delivery when the database is away.

- The delivery goes to the local journal (bot.journal), fsynced, and the webhook answers
  as usual. Telegram too gets 200, not 503: the update is safe on disk, and a 503 would
  make Telegram hold back every later update of the bot (a crisis among them) behind its
  retries. Only when even the journal cannot be written (a full disk) is the answer 503,
  so that Telegram retries (for Twilio, see docs/channels.md: the fallback URL).
- The writer is answered at once, without the database: a crisis (safety net, else the
  model) with the full emergency reply, anything else with one short "we have your
  message; in danger, call 122". That it was answered is journaled too.
- A turn that loses the database halfway (the tracker cannot be loaded or saved) is
  answered the same way, and stays pending in the inbox.
- Every second while anything waits, and once at start-up, the desk tries again: the
  journaled deliveries are written to the inbox in order (conversations with a crisis
  first), each once (the inbox's delivery-id dedup), the journal files are deleted, and
  the turns run as usual. A crisis already answered runs its turn (the case and alerts)
  without sending the emergency reply a second time; anything else gets its real answer."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Callable, Optional

from bot import journal, vault
from bot.channels import inbox
from bot.channels.outage_replies import RECEIVED, crisis_in, reply_for
from bot.storage import availability
from bot.storage.db import in_session

if TYPE_CHECKING:
    from bot.channels.base import HotlineChannel

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
ANSWERED = "answered_in_outage"  # metadata of a turn answered while the database was away
# The journal's record types.
DELIVERY, REPLIED = "delivery", "answered"


def _delivery_record(delivery: inbox.Delivery, crisis: Optional[str]) -> dict[str, Any]:
    return {"type": DELIVERY, "channel": delivery.channel, "delivery_id": delivery.delivery_id,
            "conversation_id": delivery.conversation_id,
            "sealed_address": vault.seal(delivery.address), "text": delivery.text,
            "metadata": delivery.metadata, "crisis": crisis}


def _delivery_of(record: dict[str, Any], answered: Optional[str]) -> inbox.Delivery:
    metadata = dict(record.get("metadata") or {})
    if answered:
        metadata[ANSWERED] = answered
    return inbox.Delivery(record["channel"], record["delivery_id"], record["conversation_id"],
                          vault.unseal(record["sealed_address"]), record.get("text") or "", metadata)


def replay_order(records: list[dict[str, Any]]) -> list[tuple[inbox.Delivery, dict[str, Any]]]:
    """The journaled deliveries with what was answered, conversations with a crisis first,
    each conversation's messages in the order they came."""
    answered = {r["delivery_id"]: r["kind"] for r in records if r.get("type") == REPLIED and r.get("delivery_id")}
    deliveries = [r for r in records if r.get("type") == DELIVERY]
    crisis_conversations = {r["conversation_id"] for r in deliveries if r.get("crisis")}
    ordered = sorted(enumerate(deliveries),
                     key=lambda item: (item[1]["conversation_id"] not in crisis_conversations, item[0]))
    return [(_delivery_of(r, answered.get(r["delivery_id"])), r) for _, r in ordered]


class OutageDesk:
    def __init__(self, channel: "HotlineChannel") -> None:
        self.channel = channel
        self.journal = journal.Journal(channel.name())
        self.agent: Optional[Any] = None  # the Rasa agent, for crisis intents without a tracker
        # Inbox rows whose turn lost the database: run again once it is back.
        self.interrupted: dict[int, str] = {}
        self._task: Optional[asyncio.Task[None]] = None
        self._wake = asyncio.Event()
        self._submit: Callable[[int, str], None] = lambda inbox_id, conversation_id: None
        # At start-up every pending inbox row runs again (a restart's replay), once the
        # database answers.
        self._replay_pending = True
        # Crises answered while their delivery still waited for the database, by delivery id.
        self.early: dict[str, str] = {}
        self._answers: set[asyncio.Task[None]] = set()

    # -- while the database is away ------------------------------------------------------
    async def take(self, delivery: inbox.Delivery, error: BaseException) -> bool:
        """Journal a delivery the inbox could not take, and answer it; False when even the
        journal could not be written (the webhook then answers 503)."""
        availability.mark_down(error)
        answered_early = self.early.pop(delivery.delivery_id, None)
        crisis = "urgent_danger" if answered_early else await crisis_in(delivery.text, self.agent)
        try:
            self.journal.append(_delivery_record(delivery, crisis))
            if answered_early:
                self.journal.append({"type": REPLIED, "delivery_id": delivery.delivery_id, "kind": "crisis"})
            journaled = True
        except OSError as disk:
            logger.error("%s: a delivery could not be journaled either: %s", self.channel.name(), disk)
            journaled = False
        if not answered_early:
            turn = inbox.PendingTurn(0, delivery.conversation_id, delivery.address, delivery.text,
                                     delivery.metadata)
            self.channel.lanes.submit(delivery.conversation_id,
                                      lambda: self._answer(turn, crisis, delivery.delivery_id, journaled))
        self.wake()
        return journaled

    async def answer_crisis_early(self, delivery: inbox.Delivery) -> None:
        """The database is slow to take a delivery: a crisis is answered now (outside its
        conversation's lane: it must not wait behind anything)."""
        crisis = await crisis_in(delivery.text, self.agent)
        if crisis is None:
            return
        self.early[delivery.delivery_id] = crisis
        turn = inbox.PendingTurn(0, delivery.conversation_id, delivery.address, delivery.text,
                                 delivery.metadata)
        task = asyncio.get_running_loop().create_task(self._answer(turn, crisis, None, journaled=False))
        self._answers.add(task)  # held until done: a task nobody holds may be collected
        task.add_done_callback(self._answers.discard)

    def with_early_answer(self, delivery: inbox.Delivery) -> dict[str, Any]:
        """The metadata of a turn, marked when its crisis was answered early."""
        if self.early.pop(delivery.delivery_id, None):
            return {**delivery.metadata, ANSWERED: "crisis"}
        return delivery.metadata

    async def interrupted_turn(self, turn: inbox.PendingTurn, error: BaseException) -> None:
        """A turn whose tracker or bookkeeping lost the database: answered now, run again
        from the inbox when the database is back (never with an empty tracker)."""
        availability.mark_down(error)
        logger.warning("%s: turn of conversation %s interrupted by the database; it runs again later",
                       self.channel.name(), turn.conversation_id[:8])
        if not self.interrupted.get(turn.inbox_id) and not turn.metadata.get(ANSWERED):
            crisis = await crisis_in(turn.text, self.agent)
            await self._answer(turn, crisis, None, journaled=False)
            self.interrupted[turn.inbox_id] = "crisis" if crisis else RECEIVED
        else:
            self.interrupted.setdefault(turn.inbox_id, turn.metadata.get(ANSWERED) or RECEIVED)
        self.wake()

    async def _answer(self, turn: inbox.PendingTurn, crisis: Optional[str], delivery_id: Optional[str],
                      journaled: bool) -> None:
        if self.channel.silent_in_outage(turn.text):
            return
        delivered = await self.channel.deliver(turn, [{"text": reply_for(crisis, turn.text)}])
        if delivered and journaled and delivery_id:
            try:
                self.journal.append({"type": REPLIED, "delivery_id": delivery_id,
                                     "kind": "crisis" if crisis else RECEIVED})
            except OSError:
                pass  # the real answer may then repeat the short one: never a loss

    # -- when it is back -----------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def start(self, submit: Callable[[int, str], None]) -> None:
        self._submit = submit
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                await self.replay()
            except Exception:  # the desk must outlive any one failure
                logger.exception("%s: journal replay failed", self.channel.name())
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), RETRY_SECONDS)
            except asyncio.TimeoutError:
                pass

    async def replay(self) -> int:
        """Move the journal into the inbox and start its turns; how many were moved."""
        if not self._waiting():
            return 0
        batch = self.journal.take()
        moved: list[tuple[int, inbox.Delivery]] = []
        try:
            for delivery, _record in replay_order(batch.records):
                inbox_id = await in_session(inbox.record, delivery)
                if inbox_id is not None:
                    moved.append((inbox_id, delivery))
            pending = (await in_session(inbox.pending, self.channel.name())
                       if self.interrupted or self._replay_pending else [])
        except Exception as error:
            batch.keep()
            if not availability.is_unavailable(error):
                raise
            availability.mark_down(error)
            return 0
        batch.done()
        availability.mark_up()
        for inbox_id, delivery in moved:
            self._submit(inbox_id, delivery.conversation_id)
        for inbox_id, conversation_id in pending:
            if self._replay_pending or inbox_id in self.interrupted:
                self._submit(inbox_id, conversation_id)
        self._replay_pending = False
        if moved:
            logger.warning("%s: %d journaled message(s) replayed", self.channel.name(), len(moved))
        return len(moved)

    def _waiting(self) -> bool:
        if self._replay_pending or self.interrupted or not availability.state().reachable:
            return True
        return any(self.journal.directory.glob(f"{self.channel.name()}-*{journal.SUFFIX}*")) \
            if self.journal.directory.exists() else False

    def answered(self, turn: inbox.PendingTurn) -> Optional[str]:
        """How this turn was answered during the outage ("crisis", "received"), if it was."""
        return turn.metadata.get(ANSWERED) or self.interrupted.get(turn.inbox_id) or None

    def finished(self, turn: inbox.PendingTurn) -> None:
        self.interrupted.pop(turn.inbox_id, None)

