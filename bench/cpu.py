"""CPU time that groups of processes used, from Linux's /proc: what a request cost the
server, the database and the load itself, which on a shared machine says more than
wall-clock latency alone (latency moves with the neighbours, CPU per request much less)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Process:
    pid: int
    parent: int
    command: str
    cpu_seconds: float


def _read(pid_dir: Path) -> Process | None:
    try:
        stat = (pid_dir / "stat").read_text()
        command = (pid_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:  # the process ended while we looked
        return None
    # The command's name may hold spaces and parentheses: the fields start after the last ")".
    fields = stat.rsplit(")", 1)[1].split()
    user, system = int(fields[11]), int(fields[12])
    return Process(int(pid_dir.name), int(fields[1]), command, (user + system) / TICKS_PER_SECOND)


def processes() -> list[Process]:
    found = (_read(d) for d in PROC.iterdir() if d.name.isdigit())
    return [p for p in found if p is not None]


# Whether a process (looked up with the table of all of them) belongs to a group.
Group = Callable[[Process, Mapping[int, Process]], bool]


def descendants_of(root: int) -> Group:
    """A test for a process and its children, grandchildren and so on."""

    def test(process: Process, table: Mapping[int, Process]) -> bool:
        pid = process.pid
        while pid > 1:
            if pid == root:
                return True
            parent = table.get(pid)
            pid = parent.parent if parent else 0
        return False

    return test


def named(prefix: str) -> Group:
    return lambda process, _table: process.command.startswith(prefix)


def only(pid: int) -> Group:
    return lambda process, _table: process.pid == pid


def cpu_seconds(groups: Mapping[str, Group]) -> dict[str, float]:
    """CPU seconds used so far by the live processes of each group."""
    if not groups:
        return {}
    table = {p.pid: p for p in processes()}
    return {name: sum(p.cpu_seconds for p in table.values() if test(p, table)) for name, test in groups.items()}


def per_request_ms(before: Mapping[str, float], after: Mapping[str, float], requests: int) -> dict[str, float]:
    return {name: (after[name] - before.get(name, 0.0)) * 1000 / max(1, requests) for name in after}
