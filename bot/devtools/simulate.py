"""`hotline simulate sms|telegram`: chat with the running hotline in the terminal "as SMS" or
"as Telegram". Each line is sent to the real webhook, signed like Twilio or Telegram sign
them; replies are read from the fake API server that recorded them."""

from __future__ import annotations

import json
import random
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from twilio.request_validator import RequestValidator

from bot import settings
from bot.devtools.demo import demo_environment


def _post(url: str, data: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _recorded(base: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base}/_recorded", timeout=10) as response:
        return json.loads(response.read())


def _send_sms(env: dict[str, str], address: str, text: str, counter: int) -> int:
    url = f"{settings.public_base_url()}/webhooks/sms/webhook"
    params = {
        "MessageSid": f"SMsim{address[-6:]}{counter:010d}{random.randint(0, 10**6)}",
        "From": address,
        "To": env["TWILIO_FROM_NUMBER"],
        "Body": text,
        "NumMedia": "0",
    }
    signature = RequestValidator(env["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)
    return _post(
        url,
        urllib.parse.urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )


def _send_telegram(env: dict[str, str], address: str, text: str, counter: int) -> int:
    update = {
        "update_id": int(time.time() * 1000) % 10**9 + counter,
        "message": {
            "message_id": counter,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": int(address), "type": "private"},
            "from": {"id": int(address), "is_bot": False, "first_name": "Demo"},
        },
    }
    return _post(
        f"{settings.public_base_url()}/webhooks/telegram/webhook",
        json.dumps(update).encode(),
        {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": env["TELEGRAM_WEBHOOK_SECRET"]},
    )


def _replies(env: dict[str, str], channel: str, address: str, since: int) -> tuple[list[str], int]:
    if channel == "sms":
        calls = [c for c in _recorded(env["TWILIO_API_BASE_URL"]) if c["method"] == "messages.create"]
        mine = [c["params"]["Body"] for c in calls if c["params"].get("To") == address]
    else:
        calls = [c for c in _recorded(env["TELEGRAM_API_BASE_URL"]) if c["method"] == "sendMessage"]
        mine = []
        for call in calls:
            if str(call["params"].get("chat_id")) == address:
                buttons = (call["params"].get("reply_markup") or {}).get("inline_keyboard", [])
                titles = [f"[{row[0]['text']}: {row[0]['callback_data']}]" for row in buttons]
                mine.append("\n".join([call["params"]["text"]] + titles))
    return mine[since:], len(mine)


def simulate(channel: str, read: Callable[[], str] = input) -> None:
    env = demo_environment()
    address = "+38761" + str(random.randint(100000, 999999)) if channel == "sms" else str(random.randint(10**8, 10**9))
    send = _send_sms if channel == "sms" else _send_telegram
    seen = len(_replies(env, channel, address, 0)[0])
    print(f"Chatting as {channel} from a random test address. Ctrl-D ends.")
    counter = 0
    while True:
        try:
            text = read()
        except EOFError:
            return
        counter += 1
        status = send(env, address, text, counter)
        if status != 200:
            print(f"(webhook answered {status})")
            continue
        seen = _print_replies(env, channel, address, seen)


def _print_replies(env: dict[str, str], channel: str, address: str, seen: int) -> int:
    """Wait for the turn's replies (up to 20 s for the first, then until a quiet pause)."""
    deadline, quiet_since = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        new, total = _replies(env, channel, address, seen)
        for reply in new:
            print(f"< {reply}")
        if new:
            seen, quiet_since = total, time.monotonic()
        elif quiet_since is not None and time.monotonic() - quiet_since > 0.7:
            break
        time.sleep(0.2)
    return seen
