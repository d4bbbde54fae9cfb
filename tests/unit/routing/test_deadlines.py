"""Acknowledgement deadlines and escalation times with the shipped data/hotline/routing.yml:
clock periods, school days across weekends, holidays and summer-time changes."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.routing.deadlines import ack_deadline, escalation_due, format_local, is_school_day
from bot.routing.rules import RoutingRules
from bot.routing.rules_file import DEFAULT_PATH, load_rules, parse_rules

UTC = timezone.utc
SARAJEVO = ZoneInfo("Europe/Sarajevo")


@pytest.fixture(scope="module")
def rules() -> RoutingRules:
    return load_rules(DEFAULT_PATH)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SARAJEVO)


# --- minutes and hours ------------------------------------------------------------------


def test_critical_is_ten_minutes_even_at_night_on_a_saturday(rules: RoutingRules) -> None:
    assert ack_deadline("critical", utc(2026, 11, 28, 23, 55), rules) == utc(2026, 11, 29, 0, 5)


def test_high_is_four_clock_hours_on_a_weekend(rules: RoutingRules) -> None:
    assert ack_deadline("high", utc(2026, 11, 28, 10, 0), rules) == utc(2026, 11, 28, 14, 0)


def test_hours_are_elapsed_time_across_the_spring_change(rules: RoutingRules) -> None:
    # 00:30 CET on 29 March 2026; clocks jump from 02:00 to 03:00 that night.
    start = local(2026, 3, 29, 0, 30)
    deadline = ack_deadline("high", start, rules)
    assert deadline == utc(2026, 3, 29, 3, 30)
    assert deadline.astimezone(SARAJEVO).hour == 5  # 4 hours later, 5 on the wall clock


def test_hours_are_elapsed_time_across_the_autumn_change(rules: RoutingRules) -> None:
    # 00:30 CEST on 25 October 2026; clocks go back from 03:00 to 02:00 that night.
    deadline = ack_deadline("high", local(2026, 10, 25, 0, 30), rules)
    assert deadline == utc(2026, 10, 25, 2, 30)
    assert deadline.astimezone(SARAJEVO).hour == 3


def test_output_is_utc_whatever_the_input_zone(rules: RoutingRules) -> None:
    deadline = ack_deadline("critical", local(2026, 7, 1, 12, 0), rules)
    assert deadline.tzinfo is UTC
    assert deadline == utc(2026, 7, 1, 10, 10)


# --- school days ------------------------------------------------------------------------


def test_medium_skips_the_weekend(rules: RoutingRules) -> None:
    # Thursday 26 Nov 2026, 10:15 local -> Friday (1), Monday (2), same clock time.
    assert ack_deadline("medium", utc(2026, 11, 26, 9, 15), rules) == utc(2026, 11, 30, 9, 15)


def test_low_is_five_school_days(rules: RoutingRules) -> None:
    # Monday 30 Nov 2026 -> Monday 7 Dec 2026.
    assert ack_deadline("low", utc(2026, 11, 30, 13, 0), rules) == utc(2026, 12, 7, 13, 0)


def test_a_weekend_report_counts_from_monday_morning(rules: RoutingRules) -> None:
    # Saturday 15:00 -> counted from Monday 30 Nov 08:00 -> Wednesday 2 Dec 08:00 CET.
    assert ack_deadline("medium", local(2026, 11, 28, 15, 0), rules) == utc(2026, 12, 2, 7, 0)


def test_late_on_a_school_day_keeps_its_clock_time(rules: RoutingRules) -> None:
    # Friday 23:30 local is a school day: two school days later is Tuesday 23:30.
    assert ack_deadline("medium", local(2026, 12, 4, 23, 30), rules) == utc(2026, 12, 8, 22, 30)


def test_holiday_is_skipped(rules: RoutingRules) -> None:
    # Friday 26 Feb 2027, 10:00; Monday 1 March is Independence Day.
    assert ack_deadline("medium", local(2027, 2, 26, 10, 0), rules) == utc(2027, 3, 3, 9, 0)


def test_midweek_holiday_is_skipped(rules: RoutingRules) -> None:
    # Tuesday 24 Nov 2026; Wednesday 25 Nov is Statehood Day.
    assert ack_deadline("medium", local(2026, 11, 24, 10, 0), rules) == utc(2026, 11, 27, 9, 0)


def test_a_report_on_a_holiday_counts_from_the_next_school_morning(rules: RoutingRules) -> None:
    # Monday 1 March 2027 (holiday) 12:00 -> from Tuesday 08:00 -> Thursday 4 March 08:00.
    assert ack_deadline("medium", local(2027, 3, 1, 12, 0), rules) == utc(2027, 3, 4, 7, 0)


def test_school_days_across_the_spring_change(rules: RoutingRules) -> None:
    # Friday 27 March 2026 10:00 CET (09:00 UTC) -> Tuesday 31 March 10:00 CEST (08:00 UTC).
    assert ack_deadline("medium", utc(2026, 3, 27, 9, 0), rules) == utc(2026, 3, 31, 8, 0)


def test_school_days_across_the_autumn_change(rules: RoutingRules) -> None:
    # Friday 23 Oct 2026 10:00 CEST (08:00 UTC) -> Tuesday 27 Oct 10:00 CET (09:00 UTC).
    assert ack_deadline("medium", utc(2026, 10, 23, 8, 0), rules) == utc(2026, 10, 27, 9, 0)


def test_a_weekend_start_across_the_spring_change(rules: RoutingRules) -> None:
    # Sunday 29 March 2026 01:30 CET, the night of the change -> from Monday 08:00 CEST.
    assert ack_deadline("low", local(2026, 3, 29, 1, 30), rules) == utc(2026, 4, 6, 6, 0)


def test_holidays_come_from_the_file() -> None:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["holidays"] = ["2026-11-30"]
    rules = parse_rules(data)
    # Thursday -> Friday (1), Monday is now a holiday, Tuesday (2).
    assert ack_deadline("medium", utc(2026, 11, 26, 9, 15), rules) == utc(2026, 12, 1, 9, 15)
    assert is_school_day(datetime(2026, 11, 25).date(), rules)  # no longer listed


def test_is_school_day(rules: RoutingRules) -> None:
    assert is_school_day(datetime(2026, 11, 27).date(), rules)  # Friday
    assert not is_school_day(datetime(2026, 11, 28).date(), rules)  # Saturday
    assert not is_school_day(datetime(2027, 1, 1).date(), rules)  # New Year, a Friday


# --- escalation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "severity, start, due",
    [
        ("critical", utc(2026, 11, 28, 3, 0), utc(2026, 11, 28, 3, 10)),
        ("high", utc(2026, 11, 28, 22, 30), utc(2026, 11, 29, 0, 30)),
        # Friday 14:00 local + 1 school day -> Monday 14:00.
        ("medium", local(2026, 12, 4, 14, 0), utc(2026, 12, 7, 13, 0)),
        # Thursday 24 Dec 09:00 + 2 school days: Friday 25 Dec is Christmas -> Monday, Tuesday.
        ("low", local(2026, 12, 24, 9, 0), utc(2026, 12, 29, 8, 0)),
    ],
)
def test_escalation_due(rules: RoutingRules, severity: str, start: datetime, due: datetime) -> None:
    assert escalation_due(severity, start, rules) == due


def test_default_rules_are_used_when_none_are_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_ROUTING_FILE", raising=False)
    assert escalation_due("high", utc(2026, 11, 28, 10, 0)) == utc(2026, 11, 28, 12, 0)


# --- mistakes ---------------------------------------------------------------------------


def test_naive_start_is_refused(rules: RoutingRules) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        ack_deadline("high", datetime(2026, 11, 28, 10, 0), rules)


def test_unknown_severity_is_refused(rules: RoutingRules) -> None:
    with pytest.raises(ValueError, match="'urgent'"):
        ack_deadline("urgent", utc(2026, 11, 28, 10, 0), rules)


# --- formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, language, text",
    [
        (utc(2026, 11, 28, 9, 15), "bcs", "28.11.2026. u 10:15"),
        (utc(2026, 11, 28, 9, 15), "en", "28 Nov 2026, 10:15"),
        (utc(2026, 7, 5, 8, 5), "bcs", "05.07.2026. u 10:05"),  # summer time, +2
        (utc(2026, 7, 5, 8, 5), "en", "5 Jul 2026, 10:05"),
        (utc(2026, 12, 31, 23, 30), "en", "1 Jan 2027, 00:30"),  # already next year locally
    ],
)
def test_format_local(rules: RoutingRules, moment: datetime, language: str, text: str) -> None:
    assert format_local(moment, language, rules) == text
