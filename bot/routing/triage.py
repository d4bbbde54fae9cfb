"""Severity triage and routing targets of a case, driven by data/hotline/routing.yml.

The rules live in a data file so that the canton's school administration can read and change
them without a programmer; bot.routing.rules_file loads and checks them, and this module
applies them. Everything here is a pure function of the case's facts and the rules, so it is
tested without a database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.cases.vocabulary import SEVERITIES
from bot.routing.rules import Condition, Facts, RoutingRules, Target, Triage
from bot.routing.rules_file import load_rules
from bot.text.scripts import normalize_for_nlu

# The crisis path records the Rasa intent name; the rules file says "danger".
_CRISIS_ALIASES = {"urgent_danger": "danger"}


def facts_from_case(case: Any) -> Facts:
    """The facts of a stored case (bot.storage.models.Case); a case opened by the crisis
    path may have nothing but its crisis kind."""
    kind = case.crisis_kind
    return Facts(
        crisis_kind=_CRISIS_ALIASES.get(kind, kind),
        incident_type=case.incident_type,
        discrimination_ground=case.discrimination_ground,
        danger_now=case.danger_now,
        incident_time=case.incident_time,
        description=case.description,
        school_named=case.school_id is not None,
        place_named=case.school_id is not None or case.municipality_id is not None,
    )


def _mentions(pattern: re.Pattern[str] | None, *texts: str | None) -> bool:
    if pattern is None:
        return False
    return any(text and pattern.search(normalize_for_nlu(text)) for text in texts)


def _observe(facts: Facts, rules: RoutingRules, severity: str | None = None) -> dict[str, Any]:
    """The value of every condition name for these facts, computed once per decision."""
    kind = _CRISIS_ALIASES.get(facts.crisis_kind or "", facts.crisis_kind)
    # incident_time is free text when the reporter typed instead of pressing a button.
    ongoing = facts.incident_time == "ongoing" or _mentions(rules.ongoing_words, facts.description, facts.incident_time)
    home = facts.incident_type == "home" or _mentions(rules.home_words, facts.description)
    return {
        "crisis": kind,
        "danger_now": facts.danger_now,
        "weapon": _mentions(rules.weapon_words, facts.description),
        "threat": _mentions(rules.threat_words, facts.description),
        "incident_type": facts.incident_type,
        "ongoing": ongoing,
        "discrimination_ground": facts.discrimination_ground,
        "home": home,
        "school_named": facts.school_named,
        "place_named": facts.school_named or facts.place_named,
        "severity": severity,
    }


def _holds(condition: Condition, observed: Mapping[str, Any]) -> bool:
    value = observed[condition.name]
    if isinstance(condition.accepted, bool):
        return bool(value) is condition.accepted
    if condition.name == "crisis" and "any" in condition.accepted and value:
        return True
    return value in condition.accepted


def _fits(when: tuple[Condition, ...], observed: Mapping[str, Any]) -> bool:
    return all(_holds(condition, observed) for condition in when)


# --- decisions -------------------------------------------------------------------------


def _rules(rules: RoutingRules | None) -> RoutingRules:
    return load_rules() if rules is None else rules


def triage(facts: Facts, rules: RoutingRules | None = None) -> Triage:
    """The severity of a case and why: the first severity rule that fits decides, so the
    file reads top-down from the most to the least urgent."""
    rules = _rules(rules)
    observed = _observe(facts, rules)
    for rule in rules.severity_rules:
        if _fits(rule.when, observed):
            return Triage(rule.severity, rule.reason)
    raise RuntimeError("severity rules without a catch-all passed validation")


def routing_targets(facts: Facts, severity: str, rules: RoutingRules | None = None) -> list[Target]:
    """Everyone a case goes to: every routing rule that fits adds its selectors (a case
    can need a counsellor and legal aid at once); a selector named twice keeps the first
    rule's reason."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}; known: {', '.join(SEVERITIES)}")
    rules = _rules(rules)
    observed = _observe(facts, rules, severity)
    targets: dict[str, Target] = {}
    for rule in rules.routing:
        if not _fits(rule.when, observed):
            continue
        for selector in rule.notify:
            targets.setdefault(selector, Target(selector, rule.reason, rule.in_chain, rule.needs_consent))
    return list(targets.values())


def escalation_chain(rules: RoutingRules | None = None) -> list[str]:
    """Whom to call next, in order, when the first contacts do not acknowledge in time."""
    return list(_rules(rules).escalation_chain)


def consent_grounds(rules: RoutingRules | None = None) -> frozenset[str]:
    """The discrimination grounds for which a routing rule needs the reporter's consent
    (mobile legal aid): the report form asks for consent exactly when these apply, so a
    canton that edits the rules changes the question too."""
    grounds: set[str] = set()
    for rule in _rules(rules).routing:
        if not rule.needs_consent:
            continue
        for condition in rule.when:
            if condition.name == "discrimination_ground" and not isinstance(condition.accepted, bool):
                grounds |= condition.accepted
    return frozenset(grounds)
