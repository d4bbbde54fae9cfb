"""`make bench-alerts`: how fast a critical report reaches its first staff contact.

Starts the real stack (Rasa with the trained model, the action server, the worker, the
fake Telegram and Twilio APIs) on a fresh database with the sample directory, then:
- crisis messages ("he has a knife and says he will kill me now"), each from a new
  conversation, some of them at the same time: from the message to the first alert for its
  case recorded at a fake API;
- full reports that answer "yes" to "is anyone in danger now": from the final "send" to
  the first alert.
Prints p50/p95/max for each, and checks the target: p95 <= 2 s."""
from __future__ import annotations

import json
import re
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select

from bot.directory import import_directory
from bot.paths import DATA_DIR
from bot.storage.db import make_engine, session_scope
from bot.storage.migrate import upgrade
from bot.storage.models import Case
from tests.e2e.stack import SECRET_KEY, Stack

CRISES = int(sys.argv[1]) if len(sys.argv) > 1 else 30
AT_ONCE = 5
REPORTS = 8
TARGET_P95 = 2.0
CRISIS = "Jedan dečko ima nož i prijeti da će me ubiti sada"
REPORT = ["zdravo", "želim prijaviti nasilje u školi", "1", "meni", "ucenik", "OS Uzorak 1 Livno",
          "danas", "Dva dječaka su me udarala šakama na odmoru.", "da", "ne"]


def _recorded_since(base: str, since: int) -> list[dict]:
    with urllib.request.urlopen(f"{base}/_recorded?since={since}&wait=1", timeout=30) as response:
        return json.loads(response.read())


def _first_alert_at(stack: Stack, code: str, timeout: float = 60) -> float | None:
    """When the first staff message naming the case was recorded at either fake."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        times = []
        for base in (stack.telegram_api, stack.twilio_api):
            for call in _recorded_since(base, 0):
                text = call["params"].get("text") or call["params"].get("Body") or ""
                if code in text:
                    times.append(call["at"])
        if times:
            return min(times)
        time.sleep(0.05)
    return None


def _case_code_after(url: str, before_id: int, timeout: float = 30) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(make_engine(url)) as session:
            case = session.scalars(select(Case).where(Case.id > before_id).order_by(Case.id)).first()
            if case is not None:
                return case.id, case.code
        time.sleep(0.05)
    raise RuntimeError("no case was created")


def _last_case_id(url: str) -> int:
    with session_scope(make_engine(url)) as session:
        return session.scalars(select(Case.id).order_by(Case.id.desc())).first() or 0


def _crisis(stack: Stack, url: str, index: int) -> float | None:
    """One crisis message; from sending it to its case's first alert."""
    before = _last_case_id(url)
    sent = time.time()
    stack.say(f"bench-crisis-{index}", CRISIS)
    _case_id, code = _case_code_after(url, before)
    alerted = _first_alert_at(stack, code)
    return alerted - sent if alerted else None


def _crisis_burst(stack: Stack, url: str, first: int) -> list[float]:
    """AT_ONCE crisis messages at the same moment, each case timed from the earliest send
    (cases cannot be told apart by conversation, so the figure errs on the slow side)."""
    before = _last_case_id(url)
    started = time.time()
    with ThreadPoolExecutor(AT_ONCE) as pool:
        list(pool.map(lambda i: stack.say(f"bench-burst-{i}", CRISIS), range(first, first + AT_ONCE)))
    with session_scope(make_engine(url)) as session:
        codes = session.scalars(select(Case.code).where(Case.id > before)).all()
    alerted = [_first_alert_at(stack, code) for code in codes]
    return [at - started for at in alerted if at is not None]


def _report(stack: Stack, index: int) -> float | None:
    sender = f"bench-report-{index}"
    for text in REPORT:
        stack.say(sender, text)
    sent = time.time()
    replies = stack.say(sender, "pošalji")
    body = " ".join(r.get("text") or "" for r in replies)
    found = re.search(r"JS-[A-Z0-9]{4}-[A-Z0-9]{4}", body)
    if not found:
        print(f"report {index}: no case code in the last reply: {body[:200]!r}")
        return None
    alerted = _first_alert_at(stack, found.group(0))
    return alerted - sent if alerted else None


def _summary(name: str, values: list[float], expected: int) -> bool:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("inf")
    ok = len(values) == expected and p95 <= TARGET_P95
    print(f"[{'ok ' if ok else 'MISS'}] {name}: n={len(values)}/{expected}, "
          f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {ordered[-1] * 1000:.0f} ms (target p95 <= {TARGET_P95:.0f} s)" if ordered else
          f"[MISS] {name}: no alert arrived")
    return ok


def main() -> None:
    os.environ["HOTLINE_SECRET_KEY"] = SECRET_KEY  # the directory is sealed with the stack's key
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        with session_scope(make_engine(url)) as session:
            import_directory(session, DATA_DIR / "directory.yml")
        stack = Stack(url, Path(directory), with_fakes=True, with_worker=True).start()
        try:
            stack.say("bench-warm-up", "zdravo")
            crisis = [c for c in (_crisis(stack, url, i) for i in range(CRISES)) if c is not None]
            bursts = []
            for first in range(0, 2 * AT_ONCE, AT_ONCE):
                bursts += _crisis_burst(stack, url, first)
            reports = [r for r in (_report(stack, i) for i in range(REPORTS)) if r is not None]
            print(f"worker poll interval: {os.environ.get('WORKER_POLL_SECONDS', '0.2')} s")
            ok = _summary("crisis message -> first staff alert at the fake API", crisis, CRISES)
            ok &= _summary("critical report (danger now), 'send' -> first staff alert", reports, REPORTS)
            _summary(f"bursts of {AT_ONCE} crisis messages at once (from the first send)", bursts,
                     2 * AT_ONCE)
            print("target met" if ok else "target MISSED")
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
