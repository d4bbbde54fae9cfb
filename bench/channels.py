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
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from twilio.request_validator import RequestValidator

from bot.devtools.stack import TELEGRAM_SECRET, TWILIO_TOKEN, Stack
from bot.directory.import_export import import_directory
from bot.paths import DATA_DIR
from bot.storage.db import make_engine, session_scope
from bot.storage.migrate import upgrade

CONVERSATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
# `python -m bench.channels 40 postgresql://...` runs on a fresh PostgreSQL database there.
POSTGRES_SERVER = sys.argv[2] if len(sys.argv) > 2 else None
MESSAGES = ["zdravo", "is this anonymous?", "trebam savjet o vršnjačkom nasilju"]
TARGET_OVERHEAD = 1.3


def _post(url: str, data: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


class ReplyWatch:
    """One poller per fake API (GET /_recorded?since=N), so that waiting conversations do
    not load the fakes; conversations wait on a condition for their address."""

    def __init__(self, stack: Stack) -> None:
        self._bases = {"sms": stack.twilio_api, "telegram": stack.telegram_api}
        self._seen = {"sms": 0, "telegram": 0}
        self._replies: dict[tuple[str, str], list[float]] = {}
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._poll, args=(channel,), daemon=True) for channel in self._bases]
        for thread in self._threads:
            thread.start()

    def _poll(self, channel: str) -> None:
        # Long polls (?wait=) answer as soon as the fake records a call: no busy loop
        # stealing CPU from the stack being measured.
        while not self._stop.is_set():
            url = f"{self._bases[channel]}/_recorded?since={self._seen[channel]}&wait=1"
            with urllib.request.urlopen(url, timeout=30) as response:
                calls = json.loads(response.read())
            self._seen[channel] += len(calls)
            with self._condition:
                for call in calls:
                    if call["method"] in ("messages.create", "sendMessage"):
                        params = call["params"]
                        address = str(params.get("To") or params.get("chat_id"))
                        self._replies.setdefault((channel, address), []).append(call["at"])
                self._condition.notify_all()

    def count(self, channel: str, address: str) -> int:
        with self._condition:
            return len(self._replies.get((channel, address), []))

    def wait_for(self, channel: str, address: str, index: int, timeout: float = 60) -> float | None:
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(self._replies.get((channel, address), [])) <= index:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._condition.wait(left)
            return self._replies[(channel, address)][index]

    def total(self) -> int:
        with self._condition:
            return sum(len(v) for v in self._replies.values())

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def _send(stack: Stack, channel: str, address: str, text: str, n: int) -> None:
    if channel == "sms":
        url = f"{stack.base_url}/webhooks/sms/webhook"
        params = {
            "MessageSid": f"SMbench{address[-6:]}{n:04d}",
            "From": address,
            "To": "+38730000000",
            "Body": text,
            "NumMedia": "0",
        }
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
        _post(
            url,
            urllib.parse.urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
    else:
        update = {
            "update_id": int(address) * 10 + n,
            "message": {
                "message_id": n,
                "date": int(time.time()),
                "text": text,
                "chat": {"id": int(address), "type": "private"},
                "from": {"id": int(address), "is_bot": False, "first_name": "B"},
            },
        }
        _post(
            f"{stack.base_url}/webhooks/telegram/webhook",
            json.dumps(update).encode(),
            {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )


def _conversation(stack: Stack, watch: ReplyWatch, index: int) -> list[float]:
    """Latencies (s) from webhook request to the first reply of each message."""
    channel = "sms" if index % 2 else "telegram"
    address = f"+3876{index:07d}" if channel == "sms" else str(900000000 + index)
    return _channel_conversation(stack, watch, channel, address)


def _channel_conversation(stack: Stack, watch: ReplyWatch, channel: str, address: str) -> list[float]:
    latencies = []
    for n, text in enumerate(MESSAGES):
        before = watch.count(channel, address)
        sent_at = time.time()
        _send(stack, channel, address, text, n)
        replied_at = watch.wait_for(channel, address, before)
        if replied_at is not None:
            latencies.append(replied_at - sent_at)
        time.sleep(0.3)  # let the turn's other messages arrive before the next one
    return latencies


def _bare_conversation(stack: Stack, index: int) -> list[float]:
    """The same conversation shape over the REST channel: the bare Rasa turn."""
    latencies = []
    for text in MESSAGES:
        body = json.dumps({"sender": f"bare-{index}", "message": text}).encode()
        started = time.time()
        _post(stack.webhook, body, {"Content-Type": "application/json"})
        latencies.append(time.time() - started)
        time.sleep(0.3)
    return latencies


def _mixed(stack: Stack, watch: ReplyWatch, index: int) -> tuple[str, list[float]]:
    """Every other conversation bare (REST), the others over Telegram or SMS: both kinds
    run at the same time on the same loaded machine."""
    if index % 2:
        return "bare", _bare_conversation(stack, 1000 + index)
    channel = "sms" if index % 4 else "telegram"
    address = f"+3877{index:07d}" if channel == "sms" else str(910000000 + index)
    return "channels", _channel_conversation(stack, watch, channel, address)


def _mixed_phase(stack: Stack, watch: ReplyWatch) -> dict[str, list[float]]:
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        results = list(pool.map(lambda i: _mixed(stack, watch, i), range(CONVERSATIONS)))
    pooled: dict[str, list[float]] = {"bare": [], "channels": []}
    for kind, latencies in results:
        pooled[kind] += latencies
    return pooled


def _concurrently(function, count: int) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(function, range(count)))
    return [value for conversation in results for value in conversation], time.monotonic() - started


def _cpu_by_process(stack: Stack) -> dict[str, float]:
    """CPU seconds used so far by each process group of the stack, and by this bench."""
    import os
    import resource

    tick = os.sysconf("SC_CLK_TCK")
    groups = {process.pid: name for process, name in zip(stack.processes, stack.names, strict=False)}
    used = {name: 0.0 for name in groups.values()}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pgid = int(fields[2])
        if pgid in groups:
            used[groups[pgid]] += (int(fields[11]) + int(fields[12])) / tick
    own = resource.getrusage(resource.RUSAGE_SELF)
    used["bench"] = own.ru_utime + own.ru_stime
    return used


def _cpu_report(before: dict[str, float], after: dict[str, float], messages: int) -> str:
    parts = [f"{name} {1000 * (after[name] - before.get(name, 0)) / messages:.1f}" for name in after]
    return ", ".join(parts) + " (CPU ms per message)"


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {pick(0.5):.0f} ms, p95 {pick(0.95):.0f} ms, p99 {pick(0.99):.0f} ms"


def _fresh_postgres(server: str) -> str:
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(server: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = _fresh_postgres(POSTGRES_SERVER) if POSTGRES_SERVER else f"sqlite:///{Path(directory) / 'bench.db'}"
        print(f"database: {url.split('://')[0]}")
        upgrade(url)
        with session_scope(make_engine(url)) as session:
            import_directory(session, DATA_DIR / "directory.yml")
        stack = Stack(url, Path(directory), with_fakes=True).start()
        watch = ReplyWatch(stack)
        try:
            expected = CONVERSATIONS * len(MESSAGES)
            mixed = _mixed_phase(stack, watch)
            cpu_start = _cpu_by_process(stack)
            bare, _ = _concurrently(lambda i: _bare_conversation(stack, i), CONVERSATIONS)
            cpu_bare = _cpu_by_process(stack)
            latencies, elapsed = _concurrently(lambda i: _conversation(stack, watch, i), CONVERSATIONS)
            cpu_channels = _cpu_by_process(stack)
            time.sleep(2)
            print(f"{CONVERSATIONS} conversations at once, {len(MESSAGES)} messages each")
            print("1) mixed: half bare REST turns, half over Telegram and SMS, at the same time")
            print(f"   channels, webhook in -> reply at the fake API: {_percentiles(mixed['channels'])}")
            print(f"   bare Rasa turn (REST, same moment, same model):  {_percentiles(mixed['bare'])}")
            overhead = statistics.median(mixed["channels"]) / statistics.median(mixed["bare"])
            mark = "ok " if overhead <= TARGET_OVERHEAD else "MISS"
            print(
                f"[{mark}] channel overhead under the same load (median): {overhead:.2f}x  "
                f"(target <= {TARGET_OVERHEAD}x)"
            )
            print(
                f"2) one after the other: all bare, then all over the channels "
                f"({CONVERSATIONS // 2} Telegram, {CONVERSATIONS - CONVERSATIONS // 2} SMS)"
            )
            print(f"   throughput over the channels: {expected / elapsed:.1f} messages/s over {elapsed:.1f} s")
            print(f"   channels, webhook in -> reply at the fake API: {_percentiles(latencies)}")
            print(f"   bare Rasa turn (REST, its own phase):          {_percentiles(bare)}")
            print(
                f"   median ratio: {statistics.median(latencies) / statistics.median(bare):.2f}x "
                "(the channels' extra CPU also queues their own phase)"
            )
            print(f"   CPU, bare phase:     {_cpu_report(cpu_start, cpu_bare, expected)}")
            print(f"   CPU, channels phase: {_cpu_report(cpu_bare, cpu_channels, expected)}")
            lost = (expected - len(latencies)) + (expected // 2 - len(mixed["channels"]))
            print(f"[{'ok ' if lost == 0 else 'MISS'}] lost messages (no reply): {lost}")
            print(f"replies sent in all: {watch.total()} (some turns answer with more than one message)")
        finally:
            watch.stop()
            stack.stop()
            if POSTGRES_SERVER:
                _drop_postgres(POSTGRES_SERVER, url)


if __name__ == "__main__":
    main()
