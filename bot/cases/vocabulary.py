"""The words a case is described with: its statuses, severities, outcomes and the statuses of
its referrals. One home, with no imports of the project, so that the CLI's `--help`, the
rules file's checks, the models and the console all read the same lists."""

from __future__ import annotations

from typing import Literal, get_args

CaseStatus = Literal["new", "acknowledged", "in_progress", "closed"]
CASE_STATUSES: tuple[CaseStatus, ...] = get_args(CaseStatus)

# Most urgent first: the order triage rules and queues sort by.
Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
DEFAULT_SEVERITY: Severity = "medium"

# What came of a closed case; the reporter is told in one sentence.
Outcome = Literal["acted_on", "referred", "no_action", "duplicate", "false_report"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)

# awaiting_consent: legal aid waits for the reporter's yes; declined: the reporter said no.
ReferralStatus = Literal["pending", "alerted", "acknowledged", "awaiting_consent", "declined", "closed"]
REFERRAL_STATUSES: tuple[ReferralStatus, ...] = get_args(ReferralStatus)

IncidentType = Literal["physical", "bullying", "cyberbullying", "discrimination", "sexual", "threats", "home", "other"]
INCIDENT_TYPES: tuple[IncidentType, ...] = get_args(IncidentType)

# Grounds of discrimination a report may name.
Ground = Literal["ethnicity", "religion", "displaced", "roma", "disability", "gender", "language", "other"]
GROUNDS: tuple[Ground, ...] = get_args(Ground)

CrisisKind = Literal["danger", "self_harm"]
CRISIS_KINDS: tuple[CrisisKind, ...] = get_args(CrisisKind)
