"""Reading data/hotline/routing.yml and checking it: every error names the file, the section and
the rule, so that the canton's school administration can fix the file without a programmer."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.cases.vocabulary import SEVERITIES
from bot.paths import DATA_DIR
from bot.routing.rules import (
    BOOL_CONDITIONS,
    ROUTING_CONDITIONS,
    SELECTORS,
    SEVERITY_CONDITIONS,
    VALUE_CONDITIONS,
    WAIT_UNITS,
    Condition,
    RoutingRule,
    RoutingRules,
    SeverityRule,
    Wait,
)
from bot.text.scripts import normalize_for_nlu

DEFAULT_PATH = DATA_DIR / "routing.yml"
ENV_VAR = "HOTLINE_ROUTING_FILE"

_TOP_LEVEL_KEYS = (
    "timezone",
    "holidays",
    "deadlines",
    "escalation_interval",
    "weapon_words",
    "threat_words",
    "ongoing_words",
    "home_words",
    "severity_rules",
    "routing",
    "escalation_chain",
)
_REQUIRED_KEYS = ("timezone", "deadlines", "escalation_interval", "severity_rules", "routing", "escalation_chain")


class RoutingRulesError(ValueError):
    """The rules file is wrong; the message names the file, the rule and the key, so that
    whoever edited it can find the mistake without reading code."""

    def __init__(
        self, source: str, section: str, problem: str, index: int | None = None, key: str | None = None
    ) -> None:
        self.source, self.section, self.index, self.key = source, section, index, key
        place = section if index is None else f"{section}[{index}] (rule {index + 1})"
        if key is not None:
            place += f", key '{key}'"
        super().__init__(f"{source}: {place}: {problem}")


logger = logging.getLogger(__name__)


def rules_path() -> Path:
    """The rules file in use: HOTLINE_ROUTING_FILE lets a deployment keep its own copy."""
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else DEFAULT_PATH


def load_rules(path: Path | str | None = None) -> RoutingRules:
    """The checked rules of a file, cached; an edited file is read again (its modification
    time is part of the cache key), so an administrator's change needs no restart."""
    resolved = Path(path if path is not None else rules_path()).resolve()
    try:
        mtime = resolved.stat().st_mtime_ns
        rules = _load_cached(resolved, mtime)
    except (OSError, RoutingRulesError) as error:
        # A mistake in an edited file must not stop reports and alerts: the rules that
        # were good a moment ago stay in force, and the error is logged loudly.
        last_good = _LAST_GOOD.get(resolved)
        if last_good is None:
            if isinstance(error, OSError):
                raise RoutingRulesError(str(resolved), "file", f"cannot be read ({error})") from error
            raise
        logger.error("routing rules in %s are broken; the previous rules stay in force: %s", resolved, error)
        return last_good
    _LAST_GOOD[resolved] = rules
    return rules


_LAST_GOOD: dict[Path, RoutingRules] = {}


@lru_cache(maxsize=16)
def _load_cached(path: Path, mtime_ns: int) -> RoutingRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RoutingRulesError(str(path), "file", f"is not valid YAML ({error})") from error
    return parse_rules(data, source=str(path))


def parse_rules(data: Any, source: str = "<rules>") -> RoutingRules:
    """Check the contents of a rules file and build the rules; every mistake is reported
    with its place rather than surfacing later as a wrong alert."""
    if not isinstance(data, Mapping):
        raise RoutingRulesError(source, "file", "must be a mapping of sections")
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            raise RoutingRulesError(source, str(key), f"unknown section; known: {_known(_TOP_LEVEL_KEYS)}")
    for key in _REQUIRED_KEYS:
        if key not in data:
            raise RoutingRulesError(source, key, "section is missing")
    return RoutingRules(
        source=source,
        timezone=_parse_timezone(data["timezone"], source),
        holidays=_parse_holidays(data.get("holidays"), source),
        deadlines=_parse_waits(data["deadlines"], "deadlines", source),
        escalation_interval=_parse_waits(data["escalation_interval"], "escalation_interval", source),
        weapon_words=_parse_words(data.get("weapon_words"), "weapon_words", source),
        threat_words=_parse_words(data.get("threat_words"), "threat_words", source),
        ongoing_words=_parse_words(data.get("ongoing_words"), "ongoing_words", source),
        home_words=_parse_words(data.get("home_words"), "home_words", source),
        severity_rules=_parse_severity_rules(data["severity_rules"], source),
        routing=_parse_routing(data["routing"], source),
        escalation_chain=_parse_chain(data["escalation_chain"], source),
    )


def _known(values: Iterable[str]) -> str:
    return ", ".join(values)


def _parse_timezone(value: Any, source: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RoutingRulesError(source, "timezone", f"unknown time zone {value!r}") from error


def _parse_holidays(value: Any, source: str) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise RoutingRulesError(source, "holidays", "must be a list of dates")
    days = set()
    for index, item in enumerate(value):
        if isinstance(item, date):  # YAML reads 2027-03-01 as a date already
            days.add(item)
            continue
        try:
            days.add(date.fromisoformat(str(item)))
        except ValueError as error:
            raise RoutingRulesError(source, f"holidays[{index}]", f"{item!r} is not a date like 2027-03-01") from error
    return frozenset(days)


def _parse_waits(value: Any, section: str, source: str) -> dict[str, Wait]:
    if not isinstance(value, Mapping):
        raise RoutingRulesError(source, section, "must give a period for each severity")
    for key in value:
        if key not in SEVERITIES:
            raise RoutingRulesError(source, section, f"unknown severity; known: {_known(SEVERITIES)}", key=str(key))
    return {severity: _parse_wait(value.get(severity), section, severity, source) for severity in SEVERITIES}


def _parse_wait(value: Any, section: str, severity: str, source: str) -> Wait:
    if value is None:
        raise RoutingRulesError(source, section, "period is missing", key=severity)
    if not isinstance(value, Mapping) or len(value) != 1:
        raise RoutingRulesError(source, section, "must be one period such as {hours: 4}", key=severity)
    ((unit, amount),) = value.items()
    if unit not in WAIT_UNITS:
        raise RoutingRulesError(source, section, f"unknown unit {unit!r}; known: {_known(WAIT_UNITS)}", key=severity)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise RoutingRulesError(source, section, f"{unit} must be a whole number above 0, not {amount!r}", key=severity)
    return Wait(unit, amount)


def _parse_words(value: Any, section: str, source: str) -> re.Pattern[str] | None:
    """One pattern finding any listed word at the beginning of a word, in the same folded
    form as the description (no diacritics, Latin, lower case)."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise RoutingRulesError(source, section, "must be a list of words")
    words = sorted({normalize_for_nlu(w) for w in value}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + ")")


def _parse_conditions(
    value: Any, allowed: frozenset[str], section: str, index: int, source: str
) -> tuple[Condition, ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise RoutingRulesError(source, section, "must be a mapping of conditions", index, "when")
    conditions = []
    for name, expected in value.items():
        key = f"when.{name}"
        if name not in allowed:
            raise RoutingRulesError(
                source, section, f"unknown condition {name!r}; known: {_known(sorted(allowed))}", index, key
            )
        conditions.append(Condition(name, _parse_accepted(name, expected, section, index, key, source)))
    return tuple(conditions)


def _parse_accepted(name: str, expected: Any, section: str, index: int, key: str, source: str) -> bool | frozenset[str]:
    if name in BOOL_CONDITIONS:
        if not isinstance(expected, bool):
            raise RoutingRulesError(source, section, f"must be true or false, not {expected!r}", index, key)
        return expected
    values = expected if isinstance(expected, list) else [expected]
    known = VALUE_CONDITIONS[name]
    accepted = set()
    for value in values:
        if name == "danger_now" and isinstance(value, bool):
            value = "yes" if value else "no"  # YAML reads an unquoted yes/no as true/false
        if value not in known:
            raise RoutingRulesError(source, section, f"unknown value {value!r}; known: {_known(known)}", index, key)
        accepted.add(value)
    return frozenset(accepted)


def _rule_list(value: Any, section: str, source: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not value:
        raise RoutingRulesError(source, section, "must be a non-empty list of rules")
    for index, rule in enumerate(value):
        if not isinstance(rule, Mapping):
            raise RoutingRulesError(source, section, "must be a mapping", index)
    return value


def _check_keys(
    rule: Mapping[str, Any], known: tuple[str, ...], required: tuple[str, ...], section: str, index: int, source: str
) -> None:
    for key in rule:
        if key not in known:
            raise RoutingRulesError(source, section, f"unknown key; known: {_known(known)}", index, str(key))
    for key in required:
        if key not in rule:
            raise RoutingRulesError(source, section, "is missing", index, key)


def _reason(rule: Mapping[str, Any], section: str, index: int, source: str) -> str:
    reason = rule["reason"]
    if not isinstance(reason, str) or not reason.strip():
        raise RoutingRulesError(source, section, "must be a short text", index, "reason")
    return reason.strip()


def _parse_severity_rules(value: Any, source: str) -> tuple[SeverityRule, ...]:
    section = "severity_rules"
    rules = []
    for index, rule in enumerate(_rule_list(value, section, source)):
        _check_keys(rule, ("severity", "reason", "when"), ("severity", "reason"), section, index, source)
        if rule["severity"] not in SEVERITIES:
            raise RoutingRulesError(
                source,
                section,
                f"unknown severity {rule['severity']!r}; known: {_known(SEVERITIES)}",
                index,
                "severity",
            )
        rules.append(
            SeverityRule(
                severity=rule["severity"],
                reason=_reason(rule, section, index, source),
                when=_parse_conditions(rule.get("when"), SEVERITY_CONDITIONS, section, index, source),
            )
        )
    if rules[-1].when:
        # Without a catch-all some reports would get no severity at all.
        raise RoutingRulesError(
            source,
            section,
            "the last rule must have an empty `when: {}` to catch every other report",
            len(rules) - 1,
            "when",
        )
    return tuple(rules)


def _parse_flag(rule: Mapping[str, Any], key: str, section: str, index: int, source: str) -> bool:
    value = rule.get(key, False)
    if not isinstance(value, bool):
        raise RoutingRulesError(source, section, f"must be true or false, not {value!r}", index, key)
    return value


def _parse_selectors(value: Any, section: str, index: int | None, key: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise RoutingRulesError(source, section, "must be a non-empty list", index, key)
    for position, selector in enumerate(value):
        if selector not in SELECTORS:
            raise RoutingRulesError(
                source,
                section,
                f"unknown selector {selector!r}; known: {_known(SELECTORS)}",
                index,
                f"{key}[{position}]",
            )
    return tuple(value)


def _parse_routing(value: Any, source: str) -> tuple[RoutingRule, ...]:
    section = "routing"
    rules = []
    for index, rule in enumerate(_rule_list(value, section, source)):
        _check_keys(
            rule,
            ("reason", "when", "notify", "in_chain", "needs_consent"),
            ("reason", "notify"),
            section,
            index,
            source,
        )
        rules.append(
            RoutingRule(
                reason=_reason(rule, section, index, source),
                when=_parse_conditions(rule.get("when"), ROUTING_CONDITIONS, section, index, source),
                notify=_parse_selectors(rule["notify"], section, index, "notify", source),
                in_chain=_parse_flag(rule, "in_chain", section, index, source),
                needs_consent=_parse_flag(rule, "needs_consent", section, index, source),
            )
        )
    return tuple(rules)


def _parse_chain(value: Any, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise RoutingRulesError(source, "escalation_chain", "must be a non-empty list")
    for position, selector in enumerate(value):
        if selector not in SELECTORS:
            raise RoutingRulesError(
                source, f"escalation_chain[{position}]", f"unknown selector {selector!r}; known: {_known(SELECTORS)}"
            )
    return tuple(value)


# --- facts -----------------------------------------------------------------------------
