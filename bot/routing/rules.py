"""The routing rules as values: what data/hotline/routing.yml says, once it is read and checked
(bot.routing.rules_file), and the facts and decisions that bot.routing.triage draws from it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.cases.vocabulary import CRISIS_KINDS, GROUNDS, INCIDENT_TYPES, SEVERITIES, Severity

SELECTORS = (
    "school:counsellor",
    "school:backup_counsellor",
    "school:principal",
    "town:counsellor",
    "town:backup_counsellor",
    "town:principal",
    "canton:coordinator",
    "service:red_cross_duty",
    "service:red_cross_psychosocial",
    "service:legal_aid",
    "service:social_welfare",
    "service:police",
)
WAIT_UNITS = ("minutes", "hours", "school_days")


# Conditions with a fixed set of values; "any" for crisis means "some crisis".
VALUE_CONDITIONS: dict[str, tuple[str, ...]] = {
    "crisis": CRISIS_KINDS + ("any",),
    "danger_now": ("yes", "no"),
    "incident_type": INCIDENT_TYPES,
    "discrimination_ground": GROUNDS,
    "severity": SEVERITIES,
}
BOOL_CONDITIONS = ("weapon", "threat", "ongoing", "home", "school_named", "place_named")
# Severity rules cannot look at the severity (they decide it) nor at the place (whether a
# school or town was named says nothing about how serious the incident is).
SEVERITY_CONDITIONS = frozenset(
    {"crisis", "danger_now", "weapon", "threat", "incident_type", "ongoing", "discrimination_ground", "home"}
)
ROUTING_CONDITIONS = SEVERITY_CONDITIONS | {"school_named", "place_named", "severity"}


@dataclass(frozen=True)
class Wait:
    """A period from the rules file: clock minutes or hours, or school days."""

    unit: str
    amount: int


@dataclass(frozen=True)
class Condition:
    """One line of a rule's `when`: a yes/no fact, or a fact and its accepted values."""

    name: str
    accepted: bool | frozenset[str]


@dataclass(frozen=True)
class SeverityRule:
    severity: Severity
    reason: str
    when: tuple[Condition, ...]


@dataclass(frozen=True)
class RoutingRule:
    reason: str
    when: tuple[Condition, ...]
    notify: tuple[str, ...]
    in_chain: bool
    needs_consent: bool


@dataclass(frozen=True, eq=False)
class RoutingRules:
    """The checked contents of the rules file."""

    source: str
    timezone: ZoneInfo
    holidays: frozenset[date]
    deadlines: Mapping[str, Wait]
    escalation_interval: Mapping[str, Wait]
    weapon_words: re.Pattern[str] | None
    threat_words: re.Pattern[str] | None
    ongoing_words: re.Pattern[str] | None
    home_words: re.Pattern[str] | None
    severity_rules: tuple[SeverityRule, ...]
    routing: tuple[RoutingRule, ...]
    escalation_chain: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """What triage and routing look at, taken from a case (or built directly in tests)."""

    crisis_kind: str | None = None
    incident_type: str | None = None
    discrimination_ground: str | None = None
    danger_now: str | None = None
    incident_time: str | None = None
    description: str | None = None
    school_named: bool = False
    place_named: bool = False  # a school or at least a town (municipality)


@dataclass(frozen=True)
class Triage:
    severity: Severity
    reason: str


@dataclass(frozen=True)
class Target:
    """Someone to alert, by selector; bot.routing.referrals resolves selectors to responders."""

    selector: str
    reason: str
    in_chain: bool
    needs_consent: bool


# --- loading ---------------------------------------------------------------------------
