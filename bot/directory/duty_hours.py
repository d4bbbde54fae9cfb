"""When a responder is on duty: `always`, or weekly windows in Europe/Sarajevo local time.

A window is `DAYS HH:MM-HH:MM`, where DAYS is a day (`mon`) or a range (`mon-fri`, also
across the weekend: `fri-mon`). A window whose end is before its start runs over midnight
into the next day (`mon-fri 15:30-07:30` covers Friday evening until Saturday 07:30);
`24:00` ends a day. Several windows are a list in YAML and `;`-separated in a CSV cell and
in the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

ALWAYS = "always"
LOCAL_ZONE = ZoneInfo("Europe/Sarajevo")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(
    r"^(?P<first>[a-z]+)(?:-(?P<last>[a-z]+))?\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # datetime.weekday() numbers
    start: int  # minutes after midnight
    end: int  # minutes after midnight; below `start` means over midnight

    def covers(self, weekday: int, minute: int) -> bool:
        if self.start < self.end:
            return weekday in self.days and self.start <= minute < self.end
        # Over midnight: the evening of a listed day, or the next morning.
        return (weekday in self.days and minute >= self.start) or ((weekday - 1) % 7 in self.days and minute < self.end)


def _minutes(text: str, is_end: bool) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not is_end)):
        raise ValueError(f"'{text}' is not a time of day")
    return hours * 60 + minutes


def _day(name: str) -> int:
    if name not in DAYS:
        raise ValueError(f"unknown day '{name}' (use {', '.join(DAYS)})")
    return DAYS.index(name)


def _parse_window(text: str) -> tuple[Window, str]:
    match = _WINDOW.match(text.strip().lower())
    if not match:
        raise ValueError(f"'{text}' is not like 'mon-fri 07:30-15:30'")
    first = _day(match["first"])
    last = _day(match["last"]) if match["last"] else first
    days = frozenset((first + offset) % 7 for offset in range((last - first) % 7 + 1))
    start, end = _minutes(match["start"], False), _minutes(match["end"], True)
    if start == end:
        raise ValueError(f"'{text}' is an empty window")
    day_text = DAYS[first] if first == last else f"{DAYS[first]}-{DAYS[last]}"
    canonical = f"{day_text} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    return Window(days, start, end), canonical


def normalize_on_duty(value: Any) -> str:
    """The canonical stored form of an on_duty value (a string or a list of windows);
    ValueError says what is wrong."""
    if value is None:
        return ALWAYS
    items = value if isinstance(value, list) else str(value).split(";")
    items = [str(item).strip() for item in items if str(item).strip()]
    if not items:
        raise ValueError("no windows given (write 'always' or windows like 'mon-fri 07:30-15:30')")
    if [item.lower() for item in items] == [ALWAYS]:
        return ALWAYS
    return "; ".join(_parse_window(item)[1] for item in items)


def windows(on_duty: str) -> list[str]:
    """The windows of a canonical value, for YAML export ([] for `always`)."""
    return [] if on_duty == ALWAYS else [w.strip() for w in on_duty.split(";")]


def on_duty_at(on_duty: str | None, now: datetime) -> bool:
    """Whether `on_duty` covers the moment `now` (aware; naive is taken as UTC)."""
    if not on_duty or on_duty.strip().lower() == ALWAYS:
        return True
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    local = now.astimezone(LOCAL_ZONE)
    minute = local.hour * 60 + local.minute
    return any(_parse_window(item)[0].covers(local.weekday(), minute) for item in on_duty.split(";") if item.strip())
