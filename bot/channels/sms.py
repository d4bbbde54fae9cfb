"""SMS (and WhatsApp) through Twilio at /webhooks/sms/webhook.

Every request is checked with twilio's RequestValidator against the URL Twilio called
(PUBLIC_BASE_URL + path: the server sits behind a proxy). Buttons become numbered options
and a reply of "1" selects the first. Replies are sized to SMS segments: diacritics folded
to stay in GSM-7 (SMS_FOLD_DIACRITICS), cut at a sentence boundary past SMS_MAX_SEGMENTS,
and every outbound message's segment count is logged. Sending uses twilio's async client
(TWILIO_API_BASE_URL points it at a fake server in tests and the local demo)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any
from urllib.parse import parse_qsl

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot import settings
from bot.alerts import staff_commands
from bot.cases import attachments
from bot.channels import sms_budget
from bot.channels.base import HotlineChannel, Reply
from bot.channels.clients import sms_sender, twilio_client
from bot.channels.errors import Rejected
from bot.channels.inbox import Delivery, PendingTurn
from bot.channels.reply_merging import pack
from bot.channels.sms_text import prepare, size, split_for_sms
from bot.channels.validation import text_field
from bot.privacy.erasure import forget_conversation
from bot.privacy.pseudonyms import pseudonym
from bot.routing.responders import by_phone
from bot.storage import availability
from bot.storage.db import in_session
from bot.storage.db import on_loop as in_db
from bot.storage.models import ChannelState
from bot.text.catalogue import for_writer
from bot.text.scripts import detect_script, normalize_for_nlu

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
FORM_TYPE = "application/x-www-form-urlencoded"
STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "stani"}
START_WORDS = {"start", "unstop", "yes", "kreni"}
HELP_WORDS = {"help", "info", "pomoc"}
DELETE_WORDS = {"delete", "obrisi", "zaboravi", "izbrisi"}
# The daily caps are checked on a thread with this much patience: a slow database never
# holds up a reply (it is then sent, uncounted).
BUDGET_WAIT_SECONDS = 1.0
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def _form(request: Request) -> dict[str, str]:
    """The form as Twilio signed it: blank values included (Sanic's parser drops them)."""
    try:
        pairs = parse_qsl((request.body or b"").decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise Rejected(400, "body is not UTF-8") from None
    return dict(pairs)


def numbered(text: str, buttons: list[dict[str, Any]]) -> str:
    """Buttons as numbered lines under the text: "1 Yes", "2 No"."""
    if not buttons:
        return text
    lines = [f"{i} {b['title']}" for i, b in enumerate(buttons, start=1)]
    return "\n".join([text] + lines if text else lines)


def _state(session: Session, conversation_id: str) -> ChannelState:
    state = session.get(ChannelState, conversation_id)
    if state is None:
        state = ChannelState(conversation_id=conversation_id, menu_json="[]", opted_out=False)
        session.add(state)
    return state


def _read_state(session: Session, conversation_id: str) -> tuple[list[str], bool]:
    row = session.execute(
        select(ChannelState.menu_json, ChannelState.opted_out).where(ChannelState.conversation_id == conversation_id)
    ).first()
    return (json.loads(row.menu_json or "[]"), bool(row.opted_out)) if row else ([], False)


def _set_menu(session: Session, conversation_id: str, payloads: list[str]) -> None:
    _state(session, conversation_id).menu_json = json.dumps(payloads)


def _set_opted_out(session: Session, conversation_id: str, opted_out: bool) -> None:
    _state(session, conversation_id).opted_out = opted_out


def _staff_answer(session: Session, address: str, text: str) -> str | None:
    """The answer to an SMS from a registered staff number (OK <code>, /reply ...), or
    None when the number is not staff."""
    responder = by_phone(session, address)
    return staff_commands.handle(session, responder, text, "sms") if responder else None


def _sms_parts(reply: Reply) -> tuple[list[str], list[str]]:
    """(messages to send, sentences cut) for a reply, within the segment budget."""
    text = numbered(reply.get("text") or "", reply.get("buttons") or [])
    fold = settings.sms_fold_diacritics() and detect_script(text) != "cyrillic"
    return split_for_sms(prepare(text, fold), settings.sms_max_segments())


class SmsInput(HotlineChannel):
    @classmethod
    def name(cls) -> str:
        return "sms"

    def __init__(self) -> None:
        super().__init__()
        self.account_sid = settings.env("TWILIO_ACCOUNT_SID")
        self.auth_token = settings.env("TWILIO_AUTH_TOKEN")
        self._client: Client | None = None

    def client(self) -> Client:
        if self._client is None:
            self._client = twilio_client()
        return self._client

    async def warm_up(self) -> None:
        if self.account_sid:
            self.client()

    def ok(self) -> HTTPResponse:
        # An empty TwiML answer: replies go out through the REST API, after the turn.
        return response.text("<Response/>", content_type="text/xml")

    def silent_in_outage(self, text: str) -> bool:
        return normalize_for_nlu(text) in STOP_WORDS

    async def authenticate(self, request: Request) -> None:
        if not (request.content_type or "").startswith(FORM_TYPE):
            raise Rejected(400, "expected a form-encoded body")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        url = settings.public_base_url() + request.path
        if request.query_string:
            url += "?" + request.query_string
        params = _form(request)
        if not (self.auth_token and signature and RequestValidator(self.auth_token).validate(url, params, signature)):
            raise Rejected(403, "missing or invalid X-Twilio-Signature")

    def parse(self, request: Request) -> list[Delivery]:
        form = _form(request)
        sid, sender = form.get("MessageSid") or form.get("SmsSid"), form.get("From")
        if not sid or not sender:
            raise Rejected(400, "MessageSid and From are required")
        try:
            media_count = int(form.get("NumMedia") or 0)
        except ValueError:
            raise Rejected(400, "NumMedia is not a number") from None
        media = [
            {"kind": "mms", "file_ref": form.get(f"MediaUrl{i}", ""), "content_type": form.get(f"MediaContentType{i}")}
            for i in range(min(media_count, 10))
            if form.get(f"MediaUrl{i}")
        ]
        metadata = {"media": media} if media else {}
        body = text_field(form.get("Body"), "Body")
        if len(sid) > 64 or len(sender) > 64:
            raise Rejected(400, "MessageSid or From is too long")
        return [Delivery(self.name(), sid, pseudonym(self.name(), sender), sender, body, metadata)]

    async def before_turn(self, turn: PendingTurn) -> list[Reply] | None:
        staff_answer = await in_db(_staff_answer, turn.address, turn.text)
        if staff_answer is not None:
            return [{"text": staff_answer}]  # a registered staff number: never a report
        keyword = normalize_for_nlu(turn.text)
        menu, opted_out = await in_db(_read_state, turn.conversation_id)
        if keyword in STOP_WORDS:
            await in_db(_set_opted_out, turn.conversation_id, True)
            return [{"text": for_writer("channel", "sms_stopped", turn.text)}]
        if keyword in START_WORDS:
            await in_db(_set_opted_out, turn.conversation_id, False)
            return await self.converse(turn, "/greet")
        if opted_out:
            return []  # STOP means no more messages until START
        if keyword in HELP_WORDS:
            return [{"text": for_writer("channel", "sms_help", turn.text)}]
        if keyword in DELETE_WORDS:
            await in_db(forget_conversation, turn.conversation_id)
            return [{"text": for_writer("channel", "forgotten", turn.text)}]
        replies: list[Reply] = []
        for file in turn.metadata.get("media", []):
            await in_db(attachments.keep, turn.conversation_id, self.name(), file)
        if turn.metadata.get("media"):
            replies.append({"text": for_writer("channel", "attachment_saved", turn.text)})
            if not turn.text.strip():
                return replies
        choice = _NUMBER.match(turn.text)
        if choice and 0 < int(choice.group(1)) <= len(menu):
            return replies + await self.converse(turn, menu[int(choice.group(1)) - 1])
        return (replies + await self.converse(turn, turn.text)) if replies else None

    def after_turn(self, session: Session, turn: PendingTurn, replies: list[Reply]) -> None:
        menus = [[b["payload"] for b in r["buttons"]] for r in replies if r.get("buttons")]
        if menus:
            _set_menu(session, turn.conversation_id, menus[-1])

    def pack(self, replies: list[Reply]) -> list[Reply]:
        return pack(replies, fits=lambda combined: not _sms_parts(combined)[1])

    async def send(self, address: str, reply: Reply, turn: PendingTurn) -> None:
        parts, dropped = _sms_parts(reply)
        if dropped:
            logger.warning(
                "sms reply cut at %d segments; %d sentences not sent", settings.sms_max_segments(), len(dropped)
            )
        parts = await self._within_budget(turn, parts)
        sender = sms_sender(address)
        for part in parts:
            sizing = size(part)
            await self.client().messages.create_async(to=address, from_=sender, body=part)
            logger.info(
                "sms sent to conversation %s: %d segment(s), %s, %d units",
                turn.conversation_id[:8],
                sizing.segments,
                sizing.encoding,
                sizing.units,
            )

    async def _within_budget(self, turn: PendingTurn, parts: list[str]) -> list[str]:
        """The parts to send under the daily caps (bot.channels.sms_budget): all of them,
        the one notice instead, or none. A crisis is always answered."""
        limits = settings.FloodLimits.from_env()
        if not (limits.sms_segments_per_sender_day or limits.sms_segments_per_day):
            return parts
        if not turn.inbox_id or not availability.state().reachable:
            return parts  # an outage answer: never wait for the database to send it
        segments = sum(size(part).segments for part in parts)
        try:
            decision = await asyncio.wait_for(
                in_session(sms_budget.decide, turn.conversation_id, segments, limits), BUDGET_WAIT_SECONDS
            )
        except Exception as error:  # the budget is a guard, never a reason to stay silent
            logger.warning("sms budget not checked (%s): reply sent", type(error).__name__)
            return parts
        kind: sms_budget.Kind = "reply"
        if not decision.allowed:
            if await self.looks_like_crisis(turn.text):
                kind = "crisis"
            elif decision.notice_due:
                kind, parts = "notice", _sms_parts({"text": for_writer("channel", "sms_budget_notice", turn.text)})[0]
            else:
                kind, parts = "held", []
            logger.warning(
                "sms %s daily cap reached (conversation %s): %d segment(s) %s",
                decision.cap,
                turn.conversation_id[:8],
                segments,
                "sent for a crisis" if kind == "crisis" else "held back",
            )
        try:
            await asyncio.wait_for(
                in_session(sms_budget.record, turn.conversation_id, sum(size(part).segments for part in parts), kind),
                BUDGET_WAIT_SECONDS,
            )
        except Exception as error:
            logger.warning("sms spend not recorded (%s)", type(error).__name__)
        return parts
