"""`make bench-nlu`: trains a fresh model, then measures it on the held-out test set
(tests/nlu/heldout_*.yml, never used for training).

Prints accuracy overall, per language and per script, crisis recall (urgent_danger or
self_harm predicted for either), the crisis false-positive rate, training time and parse
latency, each against its target; then the same for long messages (bench.long_messages).
`python -m bench.nlu --model models/javi-se.tar.gz` measures a model already trained."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from bench import long_messages
from bench.marks import mark
from bot.paths import PROJECT_DIR
from bot.text.scripts import normalize_for_nlu


# Held-out sets, written by people who never saw the training data, never used for
# training. "development" sets were also used to study errors while the model was built
# (so they flatter it); the "final" set was run only for the reported measurement.
def _set(folder: str, prefix: str) -> dict[tuple[str, str], Path]:
    return {
        ("en", "latin"): PROJECT_DIR / folder / f"{prefix}_en.yml",
        ("bcs", "latin"): PROJECT_DIR / folder / f"{prefix}_bcs_latin.yml",
        ("bcs", "cyrillic"): PROJECT_DIR / folder / f"{prefix}_bcs_cyrillic.yml",
    }


HELDOUT = {
    "development 1": _set("tests/nlu", "heldout"),
    "development 2": _set("tests/nlu", "dev2"),
    "final": _set("tests/nlu_final", "final"),
}
CRISIS = {"urgent_danger", "self_harm"}
TARGET_ACCURACY, TARGET_RECALL, TARGET_FP, TARGET_TRAIN_S = 0.95, 1.0, 0.03, 180


def read_examples(path: Path) -> list[tuple[str, str]]:
    examples = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append((line[2:].strip(), block["intent"]))
    return examples


def training_texts() -> set[str]:
    texts = set()
    for path in (PROJECT_DIR / "data/nlu").glob("*.yml"):
        texts |= {normalize_for_nlu(t) for t, _ in read_examples(path)}
    return texts


def train(output: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "--force",
            "--out",
            str(output),
            "--fixed-model-name",
            "bench",
        ],
        cwd=PROJECT_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


async def evaluate(model: Path) -> None:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's debug lines quote every message
    agent = Agent.load(str(model))
    seen_in_training = training_texts()
    for set_name, files in HELDOUT.items():
        if not all(path.exists() for path in files.values()):
            continue
        await evaluate_set(agent, set_name, files, seen_in_training)
    # Long messages: hidden crises come from the development sets' crisis messages for the
    # development texts, and from the final set's for the final texts.
    for long_set, sets in (("development", ("development 1", "development 2")), ("final", ("final",))):
        await long_messages.measure(agent, long_set, crisis_messages([HELDOUT[name] for name in sets]))


def crisis_messages(sets: list[dict[tuple[str, str], Path]]) -> dict[str, list[str]]:
    """The crisis messages of held-out sets, by language and script (bench.long_messages)."""
    found: dict[str, list[str]] = defaultdict(list)
    for files in sets:
        for (language, script), path in files.items():
            group = language if language == "en" else f"{language}_{script}"
            if path.exists():
                found[group] += [text for text, intent in read_examples(path) if intent in CRISIS]
    return found


async def evaluate_set(
    agent: Any, set_name: str, files: dict[tuple[str, str], Path], seen_in_training: set[str]
) -> None:
    results, latencies, leaked = [], [], 0
    for (language, script), path in files.items():
        for text, gold in read_examples(path):
            leaked += normalize_for_nlu(text) in seen_in_training
            started = time.perf_counter()
            parsed = await agent.parse_message(text)
            latencies.append((time.perf_counter() - started) * 1000)
            results.append((language, script, gold, parsed["intent"]["name"], text))
    print(f"\n=== {set_name} set ===")
    report(results, latencies, leaked)


def _accuracy(rows: list) -> float:
    return sum(gold == predicted for _, _, gold, predicted, _ in rows) / len(rows)


def report(results: list, latencies: list[float], leaked: int) -> None:
    print(f"held-out messages: {len(results)} (also in training data: {leaked}, must be 0)")
    overall = _accuracy(results)
    print(
        f"[{mark(overall >= TARGET_ACCURACY)}] accuracy overall          {overall:.3f}  (target >= {TARGET_ACCURACY})"
    )
    groups: dict[str, list] = defaultdict(list)
    for row in results:
        groups[f"language {row[0]}"].append(row)
        groups[f"script {row[1]}"].append(row)
        groups[f"{row[0]}/{row[1]}"].append(row)
    for name, rows in sorted(groups.items()):
        acc = _accuracy(rows)
        print(f"[{mark(acc >= TARGET_ACCURACY)}] accuracy {name:<17} {acc:.3f}  (n={len(rows)})")
    crisis = [r for r in results if r[2] in CRISIS]
    recall = sum(r[3] in CRISIS for r in crisis) / len(crisis)
    calm = [r for r in results if r[2] not in CRISIS]
    false_positive = sum(r[3] in CRISIS for r in calm) / len(calm)
    print(
        f"[{mark(recall >= TARGET_RECALL)}] crisis recall             {recall:.3f}"
        f"  (n={len(crisis)}, target {TARGET_RECALL})"
    )
    print(
        f"[{mark(false_positive <= TARGET_FP)}] crisis false positives    {false_positive:.3f}"
        f"  (n={len(calm)}, target <= {TARGET_FP})"
    )
    latencies.sort()
    p50, p95 = statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))]
    print(f"parse latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    errors = Counter((r[2], r[3]) for r in results if r[2] != r[3])
    if errors:
        print("\nconfusions (gold -> predicted: count):")
        for (gold, predicted), count in errors.most_common():
            print(f"  {gold} -> {predicted}: {count}")
        print("\nmisclassified messages:")
        for language, script, gold, predicted, text in results:
            if gold != predicted:
                print(f"  [{language}/{script}] {gold} -> {predicted}: {text}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--model":  # measure a trained model, no training
        asyncio.run(evaluate(Path(sys.argv[2])))
        return
    with tempfile.TemporaryDirectory() as directory:
        seconds = train(Path(directory))
        print(
            f"[{mark(seconds <= TARGET_TRAIN_S)}] training time (NLU and dialogue, 2 cores): {seconds:.0f} s"
            f"  (target <= {TARGET_TRAIN_S} s)"
        )
        asyncio.run(evaluate(Path(directory) / "bench.tar.gz"))


if __name__ == "__main__":
    main()
