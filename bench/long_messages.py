"""The long-message part of `make bench-nlu` (issue 9): long benign texts must not be a
crisis, and a long text with one crisis sentence hidden inside must be.

Sets, written for this and never used for training:
- tests/nlu*/long_benign_*.yml: diary entries, homework, lyrics, parents' letters, stories
  (500 to 5,000 characters);
- tests/nlu*/long_crisis_*.yml: long stories with one crisis passage written into them;
- hidden: every held-out crisis message of the same set, language and script, inserted
  at a random sentence boundary of a benign text (seeded, so runs compare)."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.marks import mark
from bot.paths import PROJECT_DIR
from bot.text.sentences import sentence_ends

SCRIPTS = {"en": ("en", "latin"), "bcs_latin": ("bcs", "latin"), "bcs_cyrillic": ("bcs", "cyrillic")}
LONG_SETS = {"development": PROJECT_DIR / "tests/nlu", "final": PROJECT_DIR / "tests/nlu_final"}
CRISIS = {"urgent_danger", "self_harm"}
TARGET_FP, TARGET_RECALL = 0.03, 1.0


@dataclass(frozen=True)
class LongMessage:
    group: str  # en, bcs_latin, bcs_cyrillic
    kind: str
    text: str
    crisis: bool


def read_long(folder: Path, prefix: str) -> list[LongMessage]:
    messages = []
    for group in SCRIPTS:
        for path in sorted(folder.glob(f"{prefix}_{group}*.yml")):  # a set may come in parts
            for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]:
                messages.append(LongMessage(group, entry["kind"], entry["text"].strip(), prefix == "long_crisis"))
    return messages


def hide(crisis_texts: dict[str, list[str]], carriers: list[LongMessage], seed: int = 9) -> list[LongMessage]:
    """Each crisis message inside a benign text of its language and script, between two
    of its sentences (or at the start or end)."""
    rng = random.Random(seed)
    hidden = []
    for group, texts in crisis_texts.items():
        hosts = [m for m in carriers if m.group == group]
        for number, crisis in enumerate(texts):
            if not hosts:
                break
            host = hosts[number % len(hosts)]
            cuts = [0] + sentence_ends(host.text) + [len(host.text)]
            at = rng.choice(cuts)
            text = f"{host.text[:at].rstrip()} {crisis} {host.text[at:].lstrip()}".strip()
            hidden.append(LongMessage(group, f"hidden in {host.kind}", text, True))
    return hidden


async def measure(agent: Any, set_name: str, crisis_texts: dict[str, list[str]]) -> None:
    folder = LONG_SETS[set_name]
    benign = read_long(folder, "long_benign")
    if not benign:
        return
    written = read_long(folder, "long_crisis")
    hidden = hide(crisis_texts, benign)
    latencies: list[float] = []

    async def crisis_of(message: LongMessage) -> tuple[bool, str]:
        started = time.perf_counter()
        parsed = await agent.parse_message(message.text)
        latencies.append((time.perf_counter() - started) * 1000)
        evidence = (parsed.get("safety_net") or {}).get("evidence", "")
        return parsed["intent"]["name"] in CRISIS, evidence

    print(f"\n=== long messages, {set_name} set ===")
    lengths = [len(m.text) for m in benign]
    print(f"benign long messages: {len(benign)} ({min(lengths)} to {max(lengths)} characters)")
    flagged = []
    by_group: dict[str, list[bool]] = {}
    for message in benign:
        is_crisis, evidence = await crisis_of(message)
        by_group.setdefault(message.group, []).append(is_crisis)
        if is_crisis:
            flagged.append((message, evidence))
    rate = len(flagged) / len(benign)
    print(
        f"[{mark(rate <= TARGET_FP)}] crisis false positives     {rate:.3f}  (n={len(benign)}, target <= {TARGET_FP})"
    )
    for group, results in sorted(by_group.items()):
        print(f"      {group:<13} {sum(results) / len(results):.3f}  (n={len(results)})")
    for message, evidence in flagged:
        print(f"      flagged: [{message.group}/{message.kind}, {len(message.text)} chars] {evidence[:90]}")
    for label, messages in (
        ("written with one crisis passage", written),
        ("one held-out crisis message hidden inside", hidden),
    ):
        if not messages:
            continue
        missed = []
        for message in messages:
            is_crisis, _ = await crisis_of(message)
            if not is_crisis:
                missed.append(message)
        recall = 1 - len(missed) / len(messages)
        print(f"[{mark(recall >= TARGET_RECALL)}] crisis recall, {label:<42} {recall:.3f}  (n={len(messages)})")
        for message in missed:
            print(f"      missed: [{message.group}/{message.kind}] …{_crisis_excerpt(message, crisis_texts)}")
    latencies.sort()
    print(
        f"parse latency of long messages: p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms"
    )


def _crisis_excerpt(message: LongMessage, crisis_texts: dict[str, list[str]]) -> str:
    for text in crisis_texts.get(message.group, []):
        if text in message.text:
            return text[:120]
    return message.text[:120].replace("\n", " ")
