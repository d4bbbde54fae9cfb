"""The REST channel at /webhooks/rest/webhook, hardened: a malformed request gets 400, and
a turn never ends in silence (see never_silent)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.never_silent import handle_without_silence

MAX_TEXT = 5000


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


class SafeRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("safe_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:
                return _bad_request("body is not JSON")
            if not isinstance(body, dict):
                return _bad_request("body must be a JSON object")
            sender, text = body.get("sender"), body.get("message", "")
            if not isinstance(sender, str) or not sender.strip():
                return _bad_request("'sender' must be a non-empty string")
            if not isinstance(text, str):
                return _bad_request("'message' must be a string")
            collector = CollectingOutputChannel()
            message = UserMessage(
                text[:MAX_TEXT],
                collector,
                sender,
                input_channel=self.name(),
                metadata=body.get("metadata") if isinstance(body.get("metadata"), dict) else None,
            )
            await handle_without_silence(on_new_message, message, collector)
            return response.json(collector.messages)

        return webhook
