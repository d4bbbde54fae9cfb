"""Telegram channel at /webhooks/telegram/webhook (python-telegram-bot 22).

Requests must carry the secret token set with `hotline telegram set-webhook`
(X-Telegram-Bot-Api-Secret-Token, compared in constant time); updates are parsed with
python-telegram-bot's own types and replies go through its Bot, whose base URL is
TELEGRAM_API_BASE_URL (a fake Bot API server in tests and the local demo)."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from sanic.request import Request
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot import settings
from bot.cases import attachments
from bot.channels.base import HotlineChannel, Reply
from bot.channels.clients import telegram_bot
from bot.channels.errors import Rejected
from bot.channels.inbox import Delivery, PendingTurn
from bot.channels.outage_replies import crisis_reply
from bot.channels.reply_merging import pack
from bot.channels.validation import check_values, id_field, object_field, optional_object_field, text_field
from bot.nlu.safety_net import default_safety_net
from bot.privacy.erasure import forget_conversation
from bot.privacy.pseudonyms import pseudonym
from bot.storage.db import on_loop as in_db
from bot.text.catalogue import for_writer

logger = logging.getLogger(__name__)

MAX_TEXT = 4096  # Telegram's limit for one message
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Commands mapped to the conversation's own intents; /delete is handled here.
COMMANDS = {"/start": "/greet", "/help": "/help_menu", "/language": "/switch_language"}


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph, then line, then word boundaries to fit Telegram's limit."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return chunks + ([text] if text else [])


def keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b["title"], callback_data=b["payload"][:64])] for b in buttons])


def check_update(data: dict[str, Any]) -> None:
    """Every field the channel reads has the type, size and Unicode it must have (a
    signed update can still be malformed: 400, never a crash)."""
    check_values(data)
    id_field(data["update_id"], "update_id")
    for key in ("message", "channel_post"):
        message = optional_object_field(data.get(key), key)
        if message is None:
            continue
        chat = object_field(message.get("chat"), f"{key}.chat")
        id_field(chat.get("id"), f"{key}.chat.id")
        for field in ("text", "caption"):
            text_field(message.get(field), f"{key}.{field}")
        sender = optional_object_field(message.get("from"), f"{key}.from")
        if sender is not None:
            id_field(sender.get("id"), f"{key}.from.id")
    query = optional_object_field(data.get("callback_query"), "callback_query")
    if query is not None:
        if not isinstance(query.get("id"), str):
            raise Rejected(400, "callback_query.id is not a string")
        id_field(object_field(query.get("from"), "callback_query.from").get("id"), "callback_query.from.id")
        text_field(query.get("data"), "callback_query.data")
        message = optional_object_field(query.get("message"), "callback_query.message")
        if message is not None:
            id_field(
                object_field(message.get("chat"), "callback_query.message.chat").get("id"),
                "callback_query.message.chat.id",
            )


class TelegramInput(HotlineChannel):
    bot_settings = settings.HOTLINE_BOT

    @classmethod
    def name(cls) -> str:
        return cls.bot_settings.channel

    def __init__(self) -> None:
        super().__init__()
        self.token, self.secret = self.bot_settings.token, self.bot_settings.secret
        self._bot: Bot | None = None

    async def bot(self) -> Bot:
        if self._bot is None:
            self._bot = await telegram_bot(self.token)
        return self._bot

    async def warm_up(self) -> None:
        if self.token:
            await self.bot()

    async def authenticate(self, request: Request) -> None:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise Rejected(403, "missing or wrong secret token")

    def parse(self, request: Request) -> list[Delivery]:
        try:
            data = request.json
        except Exception:
            raise Rejected(400, "body is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise Rejected(400, "not a Telegram update")
        check_update(data)
        try:
            update = Update.de_json(data, None)
        except Exception:
            raise Rejected(400, "not a Telegram update") from None
        if update.edited_message or update.edited_channel_post:
            return []  # an edit is not a new turn
        delivery = self._delivery(update)
        return [delivery] if delivery else []

    def _delivery(self, update: Update) -> Delivery | None:
        metadata: dict[str, Any] = {}
        if update.callback_query:
            query = update.callback_query
            if query.from_user.is_bot:
                return None  # another bot: never a conversation
            chat = query.message.chat.id if query.message else query.from_user.id
            text = (query.data or "").replace("\x00", "")
            metadata["callback_query_id"] = query.id
            if query.message and query.message.chat.type != "private":
                metadata["group"] = True
        elif (message := update.message or update.channel_post) is not None:
            if message.from_user is not None and message.from_user.is_bot:
                return None
            chat, text = message.chat.id, (message.text or message.caption or "").replace("\x00", "")
            if message.chat.type != "private":
                metadata["group"] = True
            file = attachments.telegram_file(message)
            if file:
                metadata["attachment"] = file
            elif not message.text:
                metadata["unsupported"] = True
        else:
            return None
        return Delivery(
            self.name(), str(update.update_id), pseudonym(self.name(), str(chat)), str(chat), text, metadata
        )

    async def before_turn(self, turn: PendingTurn) -> list[Reply] | None:
        if turn.metadata.get("group"):
            await self._leave_group(turn)
            return []
        if "callback_query_id" in turn.metadata:
            try:
                await (await self.bot()).answer_callback_query(turn.metadata["callback_query_id"])
            except TelegramError as error:
                logger.warning("could not answer a callback query: %s", error)
        if turn.metadata.get("unsupported"):
            return [{"text": for_writer("channel", "unsupported")}]
        replies: list[Reply] = []
        if "attachment" in turn.metadata:
            await in_db(attachments.keep, turn.conversation_id, self.name(), turn.metadata["attachment"])
            replies.append({"text": for_writer("channel", "attachment_saved", turn.text)})
            if not turn.text:
                return replies
        command = turn.text.split("@")[0].strip().lower() if turn.text.startswith("/") else ""
        if command == "/delete":
            await in_db(forget_conversation, turn.conversation_id)
            return [{"text": for_writer("channel", "forgotten")}]
        if command in COMMANDS:
            return replies + await self.converse(turn, COMMANDS[command])
        return (replies + await self.converse(turn, turn.text)) if replies else None

    async def _leave_group(self, turn: PendingTurn) -> None:
        """A group, supergroup or channel: one message to write privately (with the
        emergency reply when the message looks like a crisis), then the hotline leaves.
        No conversation or case is made there: others can read it."""
        match = default_safety_net().check(turn.text)
        replies = [{"text": for_writer("channel", "group_only", turn.text)}]
        if match is not None:
            replies.append({"text": crisis_reply(match.kind, turn.text)})
        await self.deliver(turn, self.pack(replies))
        try:
            await (await self.bot()).leave_chat(chat_id=int(turn.address))
            logger.info("left a group chat")
        except TelegramError as error:
            logger.warning("could not leave a group chat: %s", type(error).__name__)

    def pack(self, replies: list[Reply]) -> list[Reply]:
        return pack(replies, fits=lambda combined: len(combined.get("text") or "") <= MAX_TEXT)

    async def send(self, address: str, reply: Reply, turn: PendingTurn) -> None:
        chunks = split_text(reply.get("text") or "") or [""]
        markup = keyboard(reply.get("buttons") or [])
        bot = await self.bot()
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            if not chunk and not markup:
                continue
            await bot.send_message(chat_id=int(address), text=chunk or "…", reply_markup=markup if last else None)
