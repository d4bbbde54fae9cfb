"""bench.cpu: the CPU a group of processes used, read from /proc."""

from __future__ import annotations

import os
import subprocess
import sys

from bench import cpu

BUSY = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


def test_a_childs_cpu_counts_for_its_parents_group_and_not_for_another() -> None:
    groups = {"mine": cpu.descendants_of(os.getpid()), "none": cpu.named("no-such-program-here")}
    before = cpu.cpu_seconds(groups)
    child = subprocess.Popen([sys.executable, "-c", BUSY + "input()"], stdin=subprocess.PIPE)
    try:
        # Busy for 0.3 s of CPU, then waiting on stdin: alive, so /proc still has it.
        while cpu.cpu_seconds(groups)["mine"] - before["mine"] < 0.25:
            pass
        spent = cpu.per_request_ms(before, cpu.cpu_seconds(groups), requests=10)
    finally:
        child.communicate(b"\n", timeout=30)
    assert spent["mine"] >= 25  # at least 0.25 s over 10 requests
    assert spent["none"] == 0


def test_every_process_is_read_with_its_parent() -> None:
    table = {p.pid: p for p in cpu.processes()}
    me = table[os.getpid()]
    assert me.parent == os.getppid()
    assert me.cpu_seconds > 0
