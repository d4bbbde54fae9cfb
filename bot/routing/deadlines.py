"""Acknowledgement deadlines and escalation times, from the periods in data/hotline/routing.yml.

Moments go in and come out as timezone-aware UTC datetimes (what the database stores);
school days are counted on the local calendar, because weekends, holidays and "08:00" are
local facts and summer time moves them against UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone

from bot.cases.vocabulary import SEVERITIES, Severity
from bot.routing.rules import RoutingRules, Wait
from bot.routing.rules_file import load_rules

# A report that arrives when there is no school is counted from the next school morning.
SCHOOL_DAY_START = time(8, 0)

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def ack_deadline(severity: Severity, start: datetime, rules: RoutingRules | None = None) -> datetime:
    """When the first contacts must have acknowledged a case that arrived at `start`."""
    rules = _rules(rules)
    return add_wait(_wait(rules.deadlines, severity), start, rules)


def escalation_due(severity: Severity, start: datetime, rules: RoutingRules | None = None) -> datetime:
    """When the next escalation step is due, for a step that began at `start`."""
    rules = _rules(rules)
    return add_wait(_wait(rules.escalation_interval, severity), start, rules)


def add_wait(wait: Wait, start: datetime, rules: RoutingRules) -> datetime:
    """`start` plus a period. Minutes and hours are elapsed time (a child in danger does not
    wait for Monday, nor an hour longer on the night clocks change); school days follow the
    local calendar."""
    _require_aware(start)
    # Python adds a timedelta to a zoned datetime on the wall clock; in UTC it is elapsed.
    start_utc = start.astimezone(timezone.utc)
    if wait.unit == "minutes":
        return start_utc + timedelta(minutes=wait.amount)
    if wait.unit == "hours":
        return start_utc + timedelta(hours=wait.amount)
    return _add_school_days(wait.amount, start_utc, rules)


def is_school_day(day: date, rules: RoutingRules) -> bool:
    """Monday to Friday, unless the canton listed the date as a holiday."""
    return day.weekday() < 5 and day not in rules.holidays


def format_local(moment: datetime, language: str, rules: RoutingRules | None = None) -> str:
    """A deadline as people in the canton read it: local time, local date order."""
    _require_aware(moment)
    local = moment.astimezone(_rules(rules).timezone)
    if (language or "").lower().startswith("en"):
        return f"{local.day} {_EN_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"
    return f"{local:%d.%m.%Y}. u {local:%H:%M}"


def _rules(rules: RoutingRules | None) -> RoutingRules:
    return load_rules() if rules is None else rules


def _wait(table: Mapping[str, Wait], severity: str) -> Wait:
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}; known: {', '.join(SEVERITIES)}")
    return table[severity]


def _require_aware(moment: datetime) -> None:
    # A naive time could be UTC or local; guessing would shift deadlines by an hour or two.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; pass an aware (UTC) datetime")


def _next_school_day(day: date, rules: RoutingRules) -> date:
    day += timedelta(days=1)
    while not is_school_day(day, rules):
        day += timedelta(days=1)
    return day


def _add_school_days(count: int, start: datetime, rules: RoutingRules) -> datetime:
    local = start.astimezone(rules.timezone)
    day, clock = local.date(), local.time()
    if not is_school_day(day, rules):
        day, clock = _next_school_day(day, rules), SCHOOL_DAY_START
    for _ in range(count):
        day = _next_school_day(day, rules)
    # Clocks change on Sundays, never a school day, so the wall time always exists; where
    # it did not, zoneinfo's fold=0 reading still gives a valid moment.
    return datetime.combine(day, clock, tzinfo=rules.timezone).astimezone(timezone.utc)
