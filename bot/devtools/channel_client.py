"""Talking to the stack as Telegram and Twilio would: real HTTP, real signatures, and the
fake APIs' records of what the bot sent."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from twilio.request_validator import RequestValidator

from bot.devtools.stack import TELEGRAM_SECRET, TWILIO_TOKEN, Stack, http


def recorded(base: str, method: str | None = None) -> list[dict[str, Any]]:
    status, calls = http("GET", f"{base}/_recorded")
    assert status == 200
    return [c for c in calls if method is None or c["method"] == method]


def wait_until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the bot")


def telegram_sent(stack: Stack, chat_id: int) -> list[dict[str, Any]]:
    return [
        c["params"]
        for c in recorded(stack.telegram_api, "sendMessage")
        if str(c["params"].get("chat_id")) == str(chat_id)
    ]


def wait_telegram(stack: Stack, chat_id: int, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    return wait_until(
        lambda: (lambda sent: sent if len(sent) >= count else None)(telegram_sent(stack, chat_id)), timeout
    )


def post_telegram(
    stack: Stack,
    update: dict[str, Any],
    secret: str | None = TELEGRAM_SECRET,
    body: bytes | None = None,
    bot: str = "telegram",
) -> int:
    """An update to the hotline bot's webhook (or, with bot="staff_telegram", the staff bot's)."""
    request = urllib.request.Request(
        f"{stack.base_url}/webhooks/{bot}/webhook",
        method="POST",
        data=body if body is not None else json.dumps(update).encode(),
        headers={"Content-Type": "application/json", **({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


_update_ids = iter(range(10_000, 10**9))


def text_update(chat_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    return {
        "update_id": update_id or next(_update_ids),
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
        },
    }


def sms_sent(stack: Stack, to: str) -> list[dict[str, Any]]:
    return [c["params"] for c in recorded(stack.twilio_api, "messages.create") if c["params"].get("To") == to]


def wait_sms(stack: Stack, to: str, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    return wait_until(lambda: (lambda sent: sent if len(sent) >= count else None)(sms_sent(stack, to)), timeout)


_sids = iter(range(10**6, 10**9))


def post_sms(
    stack: Stack,
    sender: str,
    body: str,
    sid: str | None = None,
    sign: bool = True,
    signature: str | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[int, str]:
    params = {
        "MessageSid": sid or f"SM{next(_sids):032d}",
        "From": sender,
        "To": "+38730000000",
        "Body": body,
        "NumMedia": "0",
        **(extra or {}),
    }
    url = f"{stack.base_url}/webhooks/sms/webhook"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if sign:
        headers["X-Twilio-Signature"] = signature or RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(url, method="POST", headers=headers, data=urllib.parse.urlencode(params).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def first_sent_at(stack: Stack, to: str | int, timeout: float = 10.0) -> float:
    """When the first message to a chat or a phone was recorded at a fake API (its clock
    is time.time())."""

    def find() -> float | None:
        times = [
            c["at"] for c in recorded(stack.telegram_api, "sendMessage") if str(c["params"].get("chat_id")) == str(to)
        ]
        times += [c["at"] for c in recorded(stack.twilio_api, "messages.create") if c["params"].get("To") == str(to)]
        return min(times) if times else None

    return wait_until(find, timeout)
