"""A channel's outage desk: what happens to a delivery when the database is away.

- The delivery goes to the local journal (bot.storage.journal), fsynced, and the webhook answers
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
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from bot.channels import inbox
from bot.channels.outage_replies import RECEIVED, crisis_in, reply_for
from bot.nlu.safety_net import default_safety_net
from bot.privacy import sealing
from bot.storage import availability, journal
from bot.storage.db import in_session

if TYPE_CHECKING:
    from bot.channels.base import HotlineChannel

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
# How long a replay waits for the answers still on their way (to know what was answered).
ANSWER_WAIT_SECONDS = 30.0
RECENT_ANSWERS = 1000
ANSWERED = "answered_in_outage"  # metadata of a turn answered while the database was away
# The journal's record types.
DELIVERY, REPLIED = "delivery", "answered"


def _delivery_record(delivery: inbox.Delivery, crisis: str | None) -> dict[str, Any]:
    return {
        "type": DELIVERY,
        "channel": delivery.channel,
        "delivery_id": delivery.delivery_id,
        "conversation_id": delivery.conversation_id,
        "sealed_address": sealing.seal(delivery.address),
        "text": delivery.text,
        "metadata": delivery.metadata,
        "crisis": crisis,
    }


def _delivery_of(record: dict[str, Any], answered: str | None) -> inbox.Delivery:
    metadata = dict(record.get("metadata") or {})
    if answered:
        metadata[ANSWERED] = answered
    return inbox.Delivery(
        record["channel"],
        record["delivery_id"],
        record["conversation_id"],
        sealing.unseal(record["sealed_address"]),
        record.get("text") or "",
        metadata,
    )


def _ping(session: Any) -> None:
    session.execute(text("SELECT 1"))


def replay_order(records: list[dict[str, Any]]) -> list[inbox.Delivery]:
    """The journaled deliveries with what was answered, conversations with a crisis first,
    each conversation's messages in the order they came."""
    answered = {r["delivery_id"]: r["kind"] for r in records if r.get("type") == REPLIED and r.get("delivery_id")}
    deliveries = [r for r in records if r.get("type") == DELIVERY]
    crisis_conversations = {r["conversation_id"] for r in deliveries if r.get("crisis")}
    ordered = sorted(
        enumerate(deliveries), key=lambda item: (item[1]["conversation_id"] not in crisis_conversations, item[0])
    )
    return [_delivery_of(r, answered.get(r["delivery_id"])) for _, r in ordered]


class OutageDesk:
    def __init__(self, channel: HotlineChannel) -> None:
        self.channel = channel
        self.journal = journal.Journal(channel.name())
        self.agent: Any | None = None  # the Rasa agent, for crisis intents without a tracker
        # Inbox rows submitted to a lane and not finished: never submitted twice.
        self.queued: set[int] = set()
        # How turns that lost the database were answered meanwhile, by inbox id.
        self.answered_turns: dict[int, str] = {}
        # Turns whose replies went out but whose closing could not be written.
        self.unclosed: list[tuple[inbox.PendingTurn, list[dict[str, Any]], str]] = []
        # Crises answered while their delivery still waited for the database, by delivery id.
        self.early: dict[str, str] = {}
        # Deliveries answered lately (a Telegram update retried after a 503 is not answered again).
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._answers: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._submit: Callable[[int, str], None] = lambda inbox_id, conversation_id: None
        self._replaying = False
        # Inbox rows may be pending with no lane on them (at start-up, after a turn lost the
        # database, after a replay that stopped halfway): the next replay submits them.
        self._orphans_possible = True

    def journaling(self) -> bool:
        """Deliveries go to the journal, not the inbox, while the database is known to be
        away, a replay runs, or this process journaled something not yet replayed: so
        that a conversation's messages stay in order."""
        return not availability.state().reachable or self._replaying or self.journal.has_records()

    # -- while the database is away ------------------------------------------------------
    async def take(self, delivery: inbox.Delivery, error: BaseException | None) -> bool:
        """Journal a delivery and answer it; False when even the journal could not be
        written (the webhook then answers 503, and only a crisis is answered)."""
        if error is not None:
            availability.mark_down(error)
        answered_early = self.early.pop(delivery.delivery_id, None)
        crisis = answered_early or await crisis_in(delivery.text, self.agent)
        journaled = self._append(delivery, crisis, answered_early is not None)
        # Kept only for order while the database is up (a replay runs): a crisis is answered
        # now, anything else in a moment, by its turn.
        away = error is not None or not availability.state().reachable
        if answered_early is None and (crisis or (journaled and away)) and delivery.delivery_id not in self._recent:
            self._remember(delivery.delivery_id)
            turn = inbox.PendingTurn(0, delivery.conversation_id, delivery.address, delivery.text, delivery.metadata)
            self._spawn(self._answer(turn, crisis, delivery.delivery_id if journaled else None))
        self.wake()
        return journaled

    def keep_on_cancel(self, delivery: inbox.Delivery) -> None:
        """The webhook's client went away while the delivery waited for the database:
        journal it now (the database may also have taken it; the replay keeps one)."""
        match = default_safety_net().check(delivery.text)
        if self._append(delivery, match.kind if match else None, False) and match:
            turn = inbox.PendingTurn(0, delivery.conversation_id, delivery.address, delivery.text, delivery.metadata)
            self._spawn(self._answer(turn, match.kind, delivery.delivery_id))
        self.wake()

    def _append(self, delivery: inbox.Delivery, crisis: str | None, answered: bool) -> bool:
        try:
            self.journal.append(_delivery_record(delivery, crisis))
            if answered:
                self.journal.append({"type": REPLIED, "delivery_id": delivery.delivery_id, "kind": "crisis"})
        except OSError as disk:
            logger.error("%s: a delivery could not be journaled either: %s", self.channel.name(), disk)
            return False
        return True

    async def answer_crisis_early(self, delivery: inbox.Delivery) -> None:
        """The database is slow to take a delivery: a crisis is answered now."""
        crisis = await crisis_in(delivery.text, self.agent)
        if crisis is None or delivery.delivery_id in self._recent:
            return
        self._remember(delivery.delivery_id)
        self.early[delivery.delivery_id] = crisis
        turn = inbox.PendingTurn(0, delivery.conversation_id, delivery.address, delivery.text, delivery.metadata)
        self._spawn(self._answer(turn, crisis, None))

    def with_early_answer(self, delivery: inbox.Delivery) -> dict[str, Any]:
        """The metadata of a turn, marked when its crisis was answered early."""
        if self.early.pop(delivery.delivery_id, None):
            return {**delivery.metadata, ANSWERED: "crisis"}
        return delivery.metadata

    async def interrupted_turn(self, turn: inbox.PendingTurn, error: BaseException) -> None:
        """A turn that lost the database before its replies went out: answered now, run
        again from the inbox when the database is back (never on an empty tracker)."""
        availability.mark_down(error)  # the outage is logged once, not per turn
        logger.debug(
            "%s: turn of conversation %s interrupted by the database; it runs again later",
            self.channel.name(),
            turn.conversation_id[:8],
        )
        self.queued.discard(turn.inbox_id)
        self._orphans_possible = True
        if turn.inbox_id not in self.answered_turns and not turn.metadata.get(ANSWERED):
            crisis = await crisis_in(turn.text, self.agent)
            self._spawn(self._answer(turn, crisis, None, inbox_id=turn.inbox_id))
        self.wake()

    def not_loaded(self, inbox_id: int, error: BaseException) -> None:
        """A pending turn could not even be read from the inbox."""
        availability.mark_down(error)
        self.queued.discard(inbox_id)
        self._orphans_possible = True
        self.wake()

    def unclosed_turn(
        self, turn: inbox.PendingTurn, replies: list[dict[str, Any]], status: str, error: BaseException
    ) -> None:
        """The replies went out; only the turn's closing waits for the database."""
        availability.mark_down(error)
        self.unclosed.append((turn, replies, status))
        self.wake()

    async def _answer(
        self, turn: inbox.PendingTurn, crisis: str | None, delivery_id: str | None, inbox_id: int | None = None
    ) -> None:
        if self.channel.silent_in_outage(turn.text):
            return
        kind = "crisis" if crisis else RECEIVED
        if not await self.channel.deliver(turn, [{"text": reply_for(crisis, turn.text)}]):
            return  # not delivered: the turn after the outage answers in full
        if inbox_id is not None:
            self.answered_turns[inbox_id] = kind
        if delivery_id:
            try:
                self.journal.append({"type": REPLIED, "delivery_id": delivery_id, "kind": kind})
            except OSError:
                pass  # the real answer may then repeat the short one: never a loss

    def _spawn(self, answer: Coroutine[Any, Any, None]) -> None:
        """Answers go out side by side, never behind a conversation's stuck turn; the
        replay waits for them, so that what was answered is known."""
        task = asyncio.get_running_loop().create_task(answer)
        self._answers.add(task)
        task.add_done_callback(self._answers.discard)

    def _remember(self, delivery_id: str) -> None:
        self._recent[delivery_id] = None
        while len(self._recent) > RECENT_ANSWERS:
            self._recent.popitem(last=False)

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
            finally:
                self._replaying = False
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), RETRY_SECONDS)
            except asyncio.TimeoutError:
                pass

    async def replay(self) -> int:
        """Move the journal into the inbox and start the turns waiting there; how many
        deliveries were moved."""
        if not self._waiting():
            return 0
        try:  # the database must answer before anything is taken out of the journal
            await in_session(_ping)
        except Exception as error:
            return self._still_away(error)
        self._replaying = True  # new deliveries queue behind these, in the journal
        if self._answers:
            await asyncio.wait(set(self._answers), timeout=ANSWER_WAIT_SECONDS)
        moved = 0
        try:
            await self._close_unclosed()
            batch = self.journal.take()
            for delivery in replay_order(batch.records):
                moved += await self._into_inbox(delivery)
            batch.done()
            pending = await in_session(inbox.pending, self.channel.name())
        except Exception as error:
            if "batch" in locals():
                batch.keep()
            self._orphans_possible = True  # some may be in the inbox already
            return self._still_away(error)
        availability.mark_up()
        self._orphans_possible = False
        for inbox_id, conversation_id in pending:
            if inbox_id not in self.queued:
                self._submit(inbox_id, conversation_id)
        if moved:
            logger.warning("%s: %d journaled message(s) replayed", self.channel.name(), moved)
        return moved

    async def _into_inbox(self, delivery: inbox.Delivery) -> int:
        try:
            return 1 if await in_session(inbox.record, delivery) is not None else 0
        except Exception as error:
            if availability.is_unavailable(error):
                raise
            # One record that cannot be applied must not hold back all the others.
            logger.error(
                "%s: journaled delivery %s cannot be replayed and is set aside: %s",
                self.channel.name(),
                delivery.delivery_id,
                type(error).__name__,
            )
            return 0

    async def _close_unclosed(self) -> None:
        while self.unclosed:
            turn, replies, status = self.unclosed[0]
            await in_session(self.channel.close_turn, turn, replies, status)
            self.unclosed.pop(0)
            self.finished(turn)

    def _still_away(self, error: BaseException) -> int:
        if not availability.is_unavailable(error):
            raise error
        availability.mark_down(error)
        return 0

    def _waiting(self) -> bool:
        if self._orphans_possible or self.unclosed or not availability.state().reachable:
            return True
        return self.journal.has_records() or self.journal.others_waiting()

    def answered(self, turn: inbox.PendingTurn) -> str | None:
        """How this turn was answered during the outage ("crisis", "received"), if it was."""
        return turn.metadata.get(ANSWERED) or self.answered_turns.get(turn.inbox_id)

    def finished(self, turn: inbox.PendingTurn) -> None:
        self.queued.discard(turn.inbox_id)
        self.answered_turns.pop(turn.inbox_id, None)
