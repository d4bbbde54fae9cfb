"""`make bench-channels`: many concurrent conversations over the Telegram and SMS webhooks.

Starts the real stack (rasa run with the trained model, the action server, the fake
Telegram and Twilio APIs) on free ports and a fresh database, then sends N conversations
of M messages each, half over Telegram and half over SMS, all conversations at once and each
conversation's messages one after another (as people write). Prints throughput and
p50/p95/p99 from the webhook request to the reply recorded at the fake API, the same for a
bare Rasa turn (REST channel, same model, same run), and lost or duplicated replies."""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from twilio.request_validator import RequestValidator

from bot.directory import import_directory
from bot.paths import DATA_DIR
from bot.storage.db import make_engine, session_scope
from bot.storage.migrate import upgrade
from tests.e2e.stack import TELEGRAM_SECRET, TWILIO_TOKEN, Stack

CONVERSATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
MESSAGES = ["zdravo", "is this anonymous?", "trebam savjet o vršnjačkom nasilju"]
TARGET_OVERHEAD = 1.3


def _post(url: str, data: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def _recorded(base: str) -> list[dict]:
    with urllib.request.urlopen(f"{base}/_recorded", timeout=30) as response:
        return json.loads(response.read())


def _replies_to(stack: Stack, channel: str, address: str) -> list[float]:
    if channel == "sms":
        return [c["at"] for c in _recorded(stack.twilio_api)
                if c["method"] == "messages.create" and c["params"].get("To") == address]
    return [c["at"] for c in _recorded(stack.telegram_api)
            if c["method"] == "sendMessage" and str(c["params"].get("chat_id")) == address]


def _send(stack: Stack, channel: str, address: str, text: str, n: int) -> None:
    if channel == "sms":
        url = f"{stack.base_url}/webhooks/sms/webhook"
        params = {"MessageSid": f"SMbench{address[-6:]}{n:04d}", "From": address, "To": "+38730000000",
                  "Body": text, "NumMedia": "0"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
        _post(url, urllib.parse.urlencode(params).encode(),
              {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    else:
        update = {"update_id": int(address) * 10 + n, "message": {
            "message_id": n, "date": int(time.time()), "text": text,
            "chat": {"id": int(address), "type": "private"},
            "from": {"id": int(address), "is_bot": False, "first_name": "B"}}}
        _post(f"{stack.base_url}/webhooks/telegram/webhook", json.dumps(update).encode(),
              {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})


def _conversation(stack: Stack, index: int) -> list[float]:
    """Latencies (s) from webhook request to the first reply of each message."""
    channel = "sms" if index % 2 else "telegram"
    address = f"+3876{index:07d}" if channel == "sms" else str(900000000 + index)
    latencies = []
    for n, text in enumerate(MESSAGES):
        before = len(_replies_to(stack, channel, address))
        sent_at = time.time()
        _send(stack, channel, address, text, n)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = _replies_to(stack, channel, address)
            if len(replies) > before:
                latencies.append(replies[before] - sent_at)
                break
            time.sleep(0.05)
        time.sleep(0.3)  # let the turn's other messages arrive before the next one
    return latencies


def _bare_turns(stack: Stack, count: int) -> list[float]:
    latencies = []
    for i in range(count):
        body = json.dumps({"sender": f"bare-{i}", "message": MESSAGES[i % len(MESSAGES)]}).encode()
        started = time.time()
        _post(stack.webhook, body, {"Content-Type": "application/json"})
        latencies.append(time.time() - started)
    return latencies


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {pick(0.5):.0f} ms, p95 {pick(0.95):.0f} ms, p99 {pick(0.99):.0f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        with session_scope(make_engine(url)) as session:
            import_directory(session, DATA_DIR / "directory.yml")
        stack = Stack(url, Path(directory), with_fakes=True).start()
        try:
            bare = _bare_turns(stack, 60)
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
                results = list(pool.map(lambda i: _conversation(stack, i), range(CONVERSATIONS)))
            elapsed = time.monotonic() - started
            latencies = [value for conversation in results for value in conversation]
            expected = CONVERSATIONS * len(MESSAGES)
            time.sleep(2)
            sent = [c for base in (stack.twilio_api, stack.telegram_api) for c in _recorded(base)
                    if c["method"] in ("messages.create", "sendMessage")]
            print(f"conversations: {CONVERSATIONS} ({CONVERSATIONS // 2} Telegram, "
                  f"{CONVERSATIONS - CONVERSATIONS // 2} SMS), {len(MESSAGES)} messages each")
            print(f"throughput: {expected / elapsed:.1f} messages/s over {elapsed:.1f} s")
            print(f"channels, webhook in -> reply at the fake API: {_percentiles(latencies)}")
            print(f"bare Rasa turn (REST, same model, same run):   {_percentiles(bare)}")
            overhead = statistics.median(latencies) / statistics.median(bare)
            mark = "ok " if overhead <= TARGET_OVERHEAD else "MISS"
            print(f"[{mark}] channel overhead (median): {overhead:.2f}x  (target <= {TARGET_OVERHEAD}x)")
            lost = expected - len(latencies)
            print(f"[{'ok ' if lost == 0 else 'MISS'}] lost messages (no reply): {lost}")
            print(f"replies sent in all: {len(sent)} (some turns answer with more than one message)")
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
