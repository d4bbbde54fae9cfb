"""How the commands print: local times and aligned tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import click


def local_time(moment: datetime | None) -> str:
    from bot.directory.duty_hours import LOCAL_ZONE

    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...] | None = None, indent: str = "") -> None:
    rows = [header, *rows] if header else list(rows)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
