"""What the Telegram and SMS channels share: authenticate, parse, store in the inbox
(once per delivery id), answer the webhook at once, then run the turn in the
conversation's lane and deliver the replies with retries.

The raw address (phone number, chat id) exists only in memory and sealed in the inbox row
until the turn is done; Rasa, the case database and the logs see the keyed pseudonym."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from tenacity import AsyncRetrying, RetryError, stop_after_attempt, wait_exponential

from bot.channels import inbox
from bot.channels.clients import quiet_http_client_logs
from bot.channels.errors import Rejected
from bot.channels.flood import LIMITED, FloodGate
from bot.channels.never_silent import handle_without_silence, no_reply_text
from bot.channels.outage import OutageDesk
from bot.channels.outage_replies import crisis_in
from bot.channels.turn_queues import TurnQueues
from bot.followup.answers import answer_in_thread
from bot.ops.health import process_view
from bot.privacy import reporter_addresses
from bot.privacy.log_filter import keep_texts_out_of_logs
from bot.storage import availability
from bot.storage.db import in_session
from bot.storage.db import on_loop as in_db

logger = logging.getLogger(__name__)
quiet_http_client_logs()
keep_texts_out_of_logs()

MAX_BODY_BYTES = 256 * 1024
SEND_ATTEMPTS = 5
# A turn that fails for a reason other than the database (a bug, a poison message) is
# tried this many times, then kept as a dead letter.
TURN_ATTEMPTS = 3
TURN_RETRY_SECONDS = 0.5
# A crisis whose delivery the database has not taken by then is answered at once, without
# waiting any longer for a database that may hang (the delivery itself still waits for it,
# and goes to the journal if it fails).
INBOX_WAIT_SECONDS = 1.0
Reply = dict[str, Any]


class HotlineChannel(InputChannel):
    """Subclasses implement authenticate, parse, before_turn and send."""

    def __init__(self) -> None:
        self.turn_queues = TurnQueues()
        self.on_new_message: Callable[[UserMessage], Awaitable[Any]] | None = None
        self.outage = OutageDesk(self)
        self.flood = FloodGate(self.name(), self.looks_like_crisis)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HotlineChannel:
        return cls()  # configuration comes from the environment, never credentials.yml

    # -- to implement -------------------------------------------------------------------
    async def authenticate(self, request: Request) -> None:
        raise NotImplementedError

    def parse(self, request: Request) -> list[inbox.Delivery]:
        raise NotImplementedError

    async def before_turn(self, turn: inbox.PendingTurn) -> list[Reply] | None:
        """Replies that need no conversation turn (commands, media), or None."""
        return None

    async def send(self, address: str, reply: Reply, turn: inbox.PendingTurn) -> None:
        raise NotImplementedError

    def pack(self, replies: list[Reply]) -> list[Reply]:
        """The messages to send for a turn's replies (channels may combine them)."""
        return replies

    async def warm_up(self) -> None:
        """Open the sending client before the first reply needs it."""

    def ok(self) -> HTTPResponse:
        return response.json({"ok": True})

    def silent_in_outage(self, text: str) -> bool:
        """Messages that get no "we have your message" while the database is away (STOP)."""
        return False

    # -- shared -------------------------------------------------------------------------
    async def looks_like_crisis(self, text: str) -> bool:
        """The safety net's and the model's view of one message, for the limits that a
        crisis always passes."""
        return await crisis_in(text, self.outage.agent) is not None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        self.on_new_message = on_new_message
        webhook = Blueprint(f"hotline_{self.name()}", __name__)

        @webhook.listener("after_server_start")
        async def replay(app: Any, loop: Any) -> None:
            try:
                await self.warm_up()
            except Exception as error:  # the API may be unreachable now; sends retry later
                logger.warning("%s client not ready at start: %s", self.name(), error)
            self.outage.agent = getattr(app.ctx, "agent", None)
            # The journal and the inbox's pending turns, now and whenever the database
            # comes back (bot.channels.outage).
            self.outage.start(
                lambda inbox_id, conversation_id: self.submit(
                    inbox_id, conversation_id, partial(self._replay, inbox_id)
                )
            )

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            # Up, and what it knows of an outage (bot.ops.health), for probes and metrics.
            return response.json({"status": "ok", **process_view()})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request)

        return webhook

    async def _receive(self, request: Request) -> HTTPResponse:
        try:
            if len(request.body or b"") > MAX_BODY_BYTES:
                raise Rejected(413, "body too large")
            await self.authenticate(request)
            deliveries = self.parse(request)
        except Rejected as rejection:
            logger.warning("%s webhook rejected: %s", self.name(), rejection.reason)
            return response.json({"error": rejection.reason}, status=rejection.status)
        except Exception as error:  # malformed in a way nobody foresaw: still a clear answer
            return self._unexpected(error, "parsing", 400)
        kept = True
        for delivery in deliveries:
            if self.outage.journaling():  # away, or older messages wait in the journal
                kept = await self.outage.take(delivery, None) and kept
                continue
            try:
                inbox_id = await self._record(delivery)
            except Exception as error:
                if not availability.is_unavailable(error):
                    # Telegram retries a 503; nothing of the message was kept.
                    return self._unexpected(error, "recording", 503)
                kept = await self.outage.take(delivery, error) and kept
                continue
            metadata = self.outage.with_early_answer(delivery)
            if inbox_id is None:
                logger.info("%s delivery %s already handled", self.name(), delivery.delivery_id)
                continue
            turn = inbox.PendingTurn(inbox_id, delivery.conversation_id, delivery.address, delivery.text, metadata)
            self.submit(inbox_id, delivery.conversation_id, partial(self._turn, turn))
        if not kept:  # not even the journal took it: the sender must try again
            return response.json({"error": "temporarily unavailable"}, status=503)
        return self.ok()

    def _unexpected(self, error: Exception, stage: str, status: int) -> HTTPResponse:
        """Logged with an id and the error's type only: its message may quote the text."""
        error_id = uuid.uuid4().hex[:12]
        logger.error(
            "%s webhook: unexpected %s while %s (error id %s)", self.name(), type(error).__name__, stage, error_id
        )
        return response.json({"error": "could not process this request", "error_id": error_id}, status=status)

    def submit(self, inbox_id: int, conversation_id: str, job: Callable[[], Awaitable[None]]) -> None:
        """A turn into its conversation's lane, once."""
        self.outage.queued.add(inbox_id)
        self.turn_queues.submit(conversation_id, job)

    async def _record(self, delivery: inbox.Delivery) -> int | None:
        """The delivery in the inbox (None: a repeat). On a thread, so that a database
        that hangs holds up neither other conversations nor the crisis reply."""
        writing = asyncio.ensure_future(in_session(inbox.record, delivery))
        done, _ = await asyncio.wait({writing}, timeout=INBOX_WAIT_SECONDS)
        if not done:
            await self.outage.answer_crisis_early(delivery)
        try:
            return await asyncio.shield(writing)
        except asyncio.CancelledError:  # the client went away: keep the message anyway
            self.outage.keep_on_cancel(delivery)
            raise

    async def _replay(self, inbox_id: int) -> None:
        """A turn left pending by a crash, a restart or an outage: its address comes from
        the inbox."""
        try:
            turn = await in_db(inbox.load, inbox_id)
        except Exception as error:
            if not availability.is_unavailable(error):
                raise
            self.outage.not_loaded(inbox_id, error)  # it runs when the database is back
            return
        if turn is None:
            self.outage.queued.discard(inbox_id)
            return
        if turn.attempts > TURN_ATTEMPTS:  # it failed every time before a restart too
            await self._dead_letter(turn)
            return
        await self._turn(turn)

    async def _turn(self, turn: inbox.PendingTurn) -> None:
        replies: list[Reply] | None = None
        status = "done"
        for attempt in range(1, TURN_ATTEMPTS + 1):
            try:
                replies, status = await self._replies(turn)
                break
            except Exception as error:
                if availability.is_unavailable(error):
                    await self.outage.interrupted_turn(turn, error)  # answered now, run again later
                    return
                # Logged without the message: the error's text may quote it.
                logger.error(
                    "%s turn failed: %s (conversation %s, attempt %d of %d)",
                    self.name(),
                    type(error).__name__,
                    turn.conversation_id[:8],
                    attempt,
                    TURN_ATTEMPTS,
                )
                if attempt < TURN_ATTEMPTS:
                    await asyncio.sleep(TURN_RETRY_SECONDS * 2 ** (attempt - 1))
        if replies is None:
            await self._dead_letter(turn)
            return
        if self.outage.answered(turn) == "crisis":
            delivered = True  # the emergency reply went out during the outage
        else:
            delivered = await self.deliver(turn, self.pack(replies))
        if not delivered:
            status = "send_failed"
        try:
            await in_db(self.close_turn, turn, replies, status)
        except Exception as error:
            if not availability.is_unavailable(error):
                raise
            # The replies went out: only the closing waits, the turn never runs again.
            self.outage.unclosed_turn(turn, replies, status, error)
            return
        self.outage.finished(turn)

    async def _replies(self, turn: inbox.PendingTurn) -> tuple[list[Reply], str]:
        """The turn's replies and the inbox status to close it with."""
        if not self.silent_in_outage(turn.text):  # STOP always works, however fast
            held = await self.flood.hold(turn)
            if held is not None:
                return held, LIMITED
        replies = await self.before_turn(turn)
        if replies is None:
            replies = await answer_in_thread(turn, partial(self.converse, turn))
        if replies is None:
            replies = await self.converse(turn, turn.text)
        return replies, "done"

    async def _dead_letter(self, turn: inbox.PendingTurn) -> None:
        """A turn that failed every attempt: the person still gets the apology with the
        emergency numbers, and the delivery is kept as a dead letter (`hotline status`),
        never replayed again."""
        await self.deliver(turn, [{"text": no_reply_text(turn.text)}])
        try:
            await in_session(inbox.finish, turn.inbox_id, inbox.DEAD_LETTER)
        except Exception as error:
            logger.error("%s dead letter not recorded: %s", self.name(), type(error).__name__)
        logger.error("%s delivery kept as a dead letter (conversation %s)", self.name(), turn.conversation_id[:8])
        self.outage.finished(turn)

    def close_turn(self, session: Any, turn: inbox.PendingTurn, replies: list[Reply], status: str) -> None:
        # One transaction: the channel's own bookkeeping, the address kept where the
        # reporter agreed to be contacted, and the address erased from the inbox.
        self.after_turn(session, turn, replies)
        reporter_addresses.fill(session, turn.conversation_id, self.name(), turn.address)
        inbox.finish(session, turn.inbox_id, status)

    def after_turn(self, session: Any, turn: inbox.PendingTurn, replies: list[Reply]) -> None:
        """Bookkeeping after the replies went out, inside the closing transaction (the SMS
        channel remembers its numbered menu here)."""

    async def converse(self, turn: inbox.PendingTurn, text: str) -> list[Reply]:
        assert self.on_new_message is not None, "blueprint() was not called"
        collector = CollectingOutputChannel()
        message = UserMessage(text, collector, turn.conversation_id, input_channel=self.name(), metadata=turn.metadata)
        await handle_without_silence(self.on_new_message, message, collector)
        return collector.messages

    async def deliver(self, turn: inbox.PendingTurn, replies: list[Reply]) -> bool:
        for reply in replies:
            try:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(SEND_ATTEMPTS),
                    wait=wait_exponential(multiplier=0.2, max=5),
                    reraise=False,
                    before_sleep=lambda state: logger.warning(
                        "%s send failed (attempt %d), retrying: %s",
                        self.name(),
                        state.attempt_number,
                        state.outcome.exception(),
                    ),
                ):
                    with attempt:
                        await self.send(turn.address, reply, turn)
            except RetryError:
                logger.error(
                    "%s reply to conversation %s failed after %d attempts",
                    self.name(),
                    turn.conversation_id[:8],
                    SEND_ATTEMPTS,
                )
                return False
        return True
