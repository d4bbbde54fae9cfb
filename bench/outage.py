"""`make bench-outage`: 200 messages sent while PostgreSQL is cut off for 20 seconds.

Starts the real stack (Rasa with the trained model, the action server, the worker, the
fake Telegram and Twilio APIs) on a fresh PostgreSQL database reached through a TCP proxy,
cuts the proxy, sends 200 messages from 200 people over SMS and Telegram during the 20
seconds (one in ten a crisis), restores it, and prints:
- lost: a person who got no answer at all, a plain message without its real answer after
  the restore, or a crisis without its critical case (target 0);
- answered twice: a crisis given the emergency reply more than once, or a plain message
  given "we have your message" more than once (target 0);
- the crisis reply's latency during the cut (p95 target 2 s);
- the time from the restore until the journal was empty."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.devtools.channel_client import post_sms, post_telegram, recorded, text_update, wait_until
from bot.devtools.databases import fresh_postgres_database
from bot.devtools.stack import Stack, prepare_database
from bot.devtools.tcp_proxy import TcpProxy
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case, InboxMessage

MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 200
CUT_SECONDS = 20.0
CRISIS_EVERY = 10
TARGET_P95 = 2.0
CRISES = [
    "hocu da se ubijem veceras",
    "Jedan ima nož u školi i prijeti da će nas ubiti",
    "Он има пиштољ и каже да ће ме убити",
    "someone has a knife and says he will stab me",
]
PLAIN = [
    "zdravo",
    "hello",
    "želim prijaviti nasilje",
    "kako mogu prijaviti vršnjačko nasilje?",
    "здраво",
    "my friend is bullied at school",
]
ACK = ("odgovorit", "will answer soon", "одговорит")
EMERGENCY = ("122",)


def _person(index: int) -> tuple[str, str]:
    """(channel, address) of the index-th writer: SMS and Telegram in turn."""
    return ("sms", f"+3876190{index:04d}") if index % 2 else ("telegram", str(760000 + index))


def _send(stack: Stack, index: int, text: str) -> float:
    channel, address = _person(index)
    sent = time.time()
    if channel == "sms":
        post_sms(stack, address, text)
    else:
        post_telegram(stack, text_update(int(address), text))
    return sent


def _messages_to(stack: Stack) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for call in recorded(stack.telegram_api, "sendMessage"):
        found.setdefault(str(call["params"].get("chat_id")), []).append(
            {"at": call["at"], "text": call["params"].get("text") or ""}
        )
    for call in recorded(stack.twilio_api, "messages.create"):
        found.setdefault(call["params"].get("To"), []).append(
            {"at": call["at"], "text": call["params"].get("Body") or ""}
        )
    return found


def _journal_empty(directory: Path) -> bool:
    return not list(directory.glob("*.journal*")) if directory.exists() else True


def _inbox_done(url: str) -> bool:
    with session_scope(engine_for(url)) as session:
        return not session.scalar(select(func.count(InboxMessage.id)).where(InboxMessage.status == "pending"))


def _crisis_cases(url: str) -> int:
    with session_scope(engine_for(url)) as session:
        return session.scalar(select(func.count(Case.id)).where(Case.crisis_kind.is_not(None))) or 0


def main() -> None:
    for url in fresh_postgres_database():
        prepare_database(url)
        parsed = make_url(url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        with tempfile.TemporaryDirectory() as directory:
            journal = Path(directory) / "journal"
            through = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            stack = Stack(
                through,
                Path(directory),
                with_fakes=True,
                with_worker=True,
                extra_env={"HOTLINE_JOURNAL_DIR": str(journal)},
            ).start()
            try:
                _run(stack, url, proxy, journal)
            finally:
                stack.stop()
                proxy.close()


def _run(stack: Stack, url: str, proxy: TcpProxy, journal: Path) -> None:
    stack.say("bench-warm-up", "zdravo")
    texts = {
        i: (CRISES[i // CRISIS_EVERY % len(CRISES)] if i % CRISIS_EVERY == 0 else PLAIN[i % len(PLAIN)])
        for i in range(MESSAGES)
    }
    crises = {i for i in texts if i % CRISIS_EVERY == 0}
    proxy.cut()
    started = time.time()
    sent_at: dict[int, float] = {}
    with ThreadPoolExecutor(8) as pool:
        futures = {}
        for index in range(MESSAGES):
            time.sleep(max(0.0, started + index * CUT_SECONDS / MESSAGES - time.time()))
            futures[index] = pool.submit(_send, stack, index, texts[index])
        for index, future in futures.items():
            sent_at[index] = future.result()
    time.sleep(max(0.0, started + CUT_SECONDS - time.time()))
    during = _messages_to(stack)
    proxy.restore()
    restored = time.time()
    wait_until(lambda: _journal_empty(journal), timeout=300)
    emptied = time.time() - restored
    wait_until(lambda: _inbox_done(url), timeout=600)
    wait_until(lambda: _crisis_cases(url) >= len(crises), timeout=120)
    time.sleep(5)  # late repeats would show now
    after = _messages_to(stack)

    lost, twice, latencies = [], [], []
    for index in range(MESSAGES):
        address = _person(index)[1]
        got = after.get(address, [])
        if index in crises:
            emergency = [m for m in got if any(e in m["text"] for e in EMERGENCY)]
            if not emergency:
                lost.append(index)
                continue
            latencies.append(min(m["at"] for m in during.get(address, emergency)) - sent_at[index])
            twice += [index] if len(emergency) > 1 else []
        else:
            acks = [m for m in got if any(a in m["text"] for a in ACK)]
            real = [m for m in got if m not in acks]
            lost += [index] if not real else []
            twice += [index] if len(acks) > 1 else []
    cases = _crisis_cases(url)
    lost_crises = max(0, len(crises) - cases)
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("inf")
    print(
        f"{MESSAGES} messages during a {CUT_SECONDS:.0f} s cut of PostgreSQL "
        f"({len(crises)} crises, {MESSAGES - len(crises)} others, SMS and Telegram)"
    )
    print(
        f"[{'ok ' if not lost and not lost_crises else 'MISS'}] lost: {len(lost)} without an answer, "
        f"{lost_crises} crises without their case ({cases} crisis cases) (target 0)"
    )
    print(f"[{'ok ' if not twice else 'MISS'}] answered twice: {len(twice)} (target 0)")
    if ordered:
        print(
            f"[{'ok ' if p95 <= TARGET_P95 else 'MISS'}] crisis reply during the cut: "
            f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms (target p95 <= {TARGET_P95:.0f} s)"
        )
    print(
        f"journal empty {emptied:.1f} s after the restore; every turn done {time.time() - restored - 5:.1f} s after it"
    )


if __name__ == "__main__":
    main()
