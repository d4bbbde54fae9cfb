"""Severity triage and routing targets with the shipped data/hotline/routing.yml, and the checks
that catch a mistaken edit of that file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cases.vocabulary import SEVERITIES
from bot.routing.rules import Facts, RoutingRules, Target, Triage
from bot.routing.rules_file import DEFAULT_PATH, ENV_VAR, RoutingRulesError, load_rules, parse_rules
from bot.routing.triage import escalation_chain, facts_from_case, routing_targets, triage
from bot.storage.models import Case

CRISIS = "A crisis message (danger or self-harm) was received."
DANGER = "The reporter said someone is in danger right now."
WEAPON = "The description mentions a weapon."
SEXUAL = "Sexual harassment or abuse was reported."
THREATS = "Threats were reported."
PHYSICAL_ONGOING = "Physical violence that keeps happening was reported."
HOME = "Violence at home was reported."
PHYSICAL = "Physical violence was reported."
DISCRIMINATION = "Discrimination was reported."
BULLYING_ONGOING = "Bullying that keeps happening was reported."
LOW = "No sign of higher risk was found."


@pytest.fixture(scope="module")
def rules() -> RoutingRules:
    return load_rules(DEFAULT_PATH)


def _shipped() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


# --- severity ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["self_harm", "danger", "urgent_danger"])
def test_any_crisis_is_critical(rules: RoutingRules, kind: str) -> None:
    assert triage(Facts(crisis_kind=kind), rules) == Triage("critical", CRISIS)


def test_danger_now_is_critical(rules: RoutingRules) -> None:
    facts = Facts(incident_type="bullying", danger_now="yes", description="zadirkuju me")
    assert triage(facts, rules) == Triage("critical", DANGER)


def test_no_danger_now_is_not_critical(rules: RoutingRules) -> None:
    facts = Facts(incident_type="bullying", danger_now="no", description="zadirkuju me")
    assert triage(facts, rules) == Triage("low", LOW)


@pytest.mark.parametrize(
    "description",
    [
        "ima nož u torbi",  # diacritics
        "ima noz u torbi",  # none
        "ИМА НОЖ У ТОРБИ",  # Cyrillic, capitals
        "Донио је пиштољ у школу",  # Cyrillic pištolj
        "prijetio mu je puškom",  # inflected
        "nosi oružje",
        "udario ga je palicom",
        "He brought a GUN to school",
        "he pulled a knife, then left",
    ],
)
def test_weapon_words_make_it_critical(rules: RoutingRules, description: str) -> None:
    facts = Facts(incident_type="bullying", description=description)
    assert triage(facts, rules) == Triage("critical", WEAPON)


@pytest.mark.parametrize(
    "description, expected",
    [
        # a parent reporting school bullying, not violence at home
        ("Ja sam otac učenika, stalno ga zadirkuju", Triage("medium", BULLYING_ONGOING)),
        ("moja mama kaže da ovo prijavim", Triage("low", LOW)),
    ],
)
def test_a_parent_reporting_is_not_home_violence(rules: RoutingRules, description: str, expected: Triage) -> None:
    facts = Facts(incident_type="bullying", description=description, school_named=True)
    assert triage(facts, rules) == expected
    assert routing_targets(facts, expected.severity, rules) == [COUNSELLOR]


@pytest.mark.parametrize(
    "description",
    [
        "uzeo mi je bombone",  # "bomb" would catch this sweet; the file lists "bomba"
        "piše mi ružne poruke",
        "they laugh at my shoes",
    ],
)
def test_harmless_words_are_not_weapons(rules: RoutingRules, description: str) -> None:
    assert triage(Facts(incident_type="bullying", description=description), rules).severity == "low"


def test_weapon_is_found_only_at_the_beginning_of_a_word(rules: RoutingRules) -> None:
    # "xnoz" contains "noz" but does not begin with it
    assert triage(Facts(incident_type="other", description="xnoz abc"), rules).severity == "low"


@pytest.mark.parametrize("incident_type, reason", [("sexual", SEXUAL), ("threats", THREATS)])
def test_sexual_and_threats_are_high(rules: RoutingRules, incident_type: str, reason: str) -> None:
    assert triage(Facts(incident_type=incident_type), rules) == Triage("high", reason)


@pytest.mark.parametrize(
    "incident_time, description",
    [
        ("ongoing", "udario me"),
        (None, "tuku ga svaki dan poslije škole"),
        (None, "Стално га туку"),
        ("this_week", "i dalje me gura"),
        ("svaki dan poslije nastave", None),  # typed instead of a button
        (None, "they still hit him"),
    ],
)
def test_ongoing_physical_is_high(rules: RoutingRules, incident_time: str | None, description: str | None) -> None:
    facts = Facts(incident_type="physical", incident_time=incident_time, description=description)
    assert triage(facts, rules) == Triage("high", PHYSICAL_ONGOING)


def test_single_physical_is_medium(rules: RoutingRules) -> None:
    facts = Facts(incident_type="physical", incident_time="today", description="udario me")
    assert triage(facts, rules) == Triage("medium", PHYSICAL)


@pytest.mark.parametrize(
    "incident_type, description",
    [
        ("home", None),
        ("other", "tata me tuče kad popije"),
        ("other", "Očuh viče na mene"),
        ("physical", "My dad hits me"),
        ("bullying", "мама ме вријеђа"),
    ],
)
def test_home_violence_is_high(rules: RoutingRules, incident_type: str, description: str | None) -> None:
    facts = Facts(incident_type=incident_type, description=description)
    assert triage(facts, rules) == Triage("high", HOME)


def test_discrimination_is_medium(rules: RoutingRules) -> None:
    facts = Facts(incident_type="discrimination", discrimination_ground="roma")
    assert triage(facts, rules) == Triage("medium", DISCRIMINATION)


@pytest.mark.parametrize(
    "incident_type, incident_time, description",
    [
        ("bullying", "ongoing", None),
        ("cyberbullying", None, "opet su objavili moju sliku"),
        ("bullying", None, "they mock me every day"),
    ],
)
def test_ongoing_bullying_is_medium(
    rules: RoutingRules, incident_type: str, incident_time: str | None, description: str | None
) -> None:
    facts = Facts(incident_type=incident_type, incident_time=incident_time, description=description)
    assert triage(facts, rules) == Triage("medium", BULLYING_ONGOING)


@pytest.mark.parametrize(
    "facts",
    [
        Facts(incident_type="bullying", incident_time="today", description="rugali su mi se"),
        Facts(incident_type="cyberbullying"),
        Facts(incident_type="other", description="nešto mi se ne sviđa"),
        Facts(),
    ],
)
def test_everything_else_is_low(rules: RoutingRules, facts: Facts) -> None:
    assert triage(facts, rules) == Triage("low", LOW)


@pytest.mark.parametrize(
    "facts, expected",
    [
        # danger_now comes before the incident type
        (Facts(incident_type="sexual", danger_now="yes"), Triage("critical", DANGER)),
        # a crisis comes before danger_now
        (Facts(crisis_kind="self_harm", danger_now="yes"), Triage("critical", CRISIS)),
        # a weapon beats ongoing physical violence
        (Facts(incident_type="physical", incident_time="ongoing", description="s nožem"), Triage("critical", WEAPON)),
        # home violence beats discrimination, which would be medium
        (Facts(incident_type="discrimination", description="otac me mrzi zbog toga"), Triage("high", HOME)),
        # ongoing physical beats home (both high, the earlier reason is kept)
        (
            Facts(incident_type="physical", incident_time="ongoing", description="tata me bije"),
            Triage("high", PHYSICAL_ONGOING),
        ),
    ],
)
def test_first_matching_rule_wins(rules: RoutingRules, facts: Facts, expected: Triage) -> None:
    assert triage(facts, rules) == expected


def test_every_shipped_severity_rule_is_reachable(rules: RoutingRules) -> None:
    samples = [
        Facts(crisis_kind="danger"),
        Facts(danger_now="yes"),
        Facts(description="knife"),
        Facts(incident_type="sexual"),
        Facts(incident_type="threats"),
        Facts(incident_type="physical", description="prijete da će me opet istući"),
        Facts(incident_type="physical", incident_time="ongoing"),
        Facts(incident_type="home"),
        Facts(incident_type="physical"),
        Facts(incident_type="discrimination"),
        Facts(incident_type="cyberbullying", incident_time="ongoing"),
        Facts(incident_type="other"),
    ]
    reasons = [triage(facts, rules).reason for facts in samples]
    assert reasons == [rule.reason for rule in rules.severity_rules]
    assert len(set(reasons)) == 12


def test_facts_from_case() -> None:
    case = Case(
        crisis_kind="urgent_danger",
        incident_type="physical",
        discrimination_ground=None,
        danger_now="yes",
        incident_time="ongoing",
        description="Туку га",
        school_id=7,
    )
    assert facts_from_case(case) == Facts(
        crisis_kind="danger",
        incident_type="physical",
        discrimination_ground=None,
        danger_now="yes",
        incident_time="ongoing",
        description="Туку га",
        school_named=True,
        place_named=True,
    )


def test_facts_from_a_bare_crisis_case() -> None:
    facts = facts_from_case(Case(crisis_kind="self_harm"))
    assert facts == Facts(crisis_kind="self_harm", school_named=False)
    assert triage(facts, load_rules(DEFAULT_PATH)) == Triage("critical", CRISIS)


# --- routing ----------------------------------------------------------------------------

COUNSELLOR = Target("school:counsellor", "school_counsellors", True, False)
COORDINATOR = Target("canton:coordinator", "no_school", True, False)
NO_PLACE = Target("canton:coordinator", "no_place", True, False)
PRINCIPAL = Target("school:principal", "critical", True, False)
RED_CROSS = Target("service:red_cross_duty", "critical", True, False)
PSYCHOSOCIAL = Target("service:red_cross_psychosocial", "self_harm", False, False)
LEGAL_AID = Target("service:legal_aid", "discrimination_legal_aid", False, True)
WELFARE = Target("service:social_welfare", "home_violence", False, False)


def test_named_school_goes_to_its_counsellors(rules: RoutingRules) -> None:
    facts = Facts(incident_type="bullying", school_named=True)
    assert routing_targets(facts, "low", rules) == [COUNSELLOR]


def test_no_school_goes_to_the_coordinator(rules: RoutingRules) -> None:
    facts = Facts(incident_type="physical", school_named=False)
    assert routing_targets(facts, "medium", rules) == [COORDINATOR]


def test_critical_adds_principal_and_red_cross(rules: RoutingRules) -> None:
    facts = Facts(danger_now="yes", school_named=True)
    assert routing_targets(facts, "critical", rules) == [COUNSELLOR, PRINCIPAL, RED_CROSS]


def test_self_harm_adds_psychosocial_support_outside_the_chain(rules: RoutingRules) -> None:
    facts = Facts(crisis_kind="self_harm")
    assert routing_targets(facts, "critical", rules) == [NO_PLACE, PRINCIPAL, RED_CROSS, PSYCHOSOCIAL]


def test_a_critical_case_naming_only_a_town_goes_to_its_schools_not_the_coordinator(rules: RoutingRules) -> None:
    facts = Facts(crisis_kind="urgent_danger", place_named=True)
    selectors = [t.selector for t in routing_targets(facts, "critical", rules)]
    assert selectors == ["town:counsellor", "town:principal", "school:principal", "service:red_cross_duty"]


def test_a_report_naming_only_a_town_still_goes_to_the_coordinator(rules: RoutingRules) -> None:
    # Not critical: the coordinator finds the school rather than alerting every school.
    assert routing_targets(Facts(incident_type="bullying", place_named=True), "medium", rules) == [COORDINATOR]


def test_place_named_is_a_routing_condition_only(rules: RoutingRules) -> None:
    data = yaml.safe_load(Path(DEFAULT_PATH).read_text(encoding="utf-8"))
    data["severity_rules"].insert(0, {"severity": "high", "reason": "x", "when": {"place_named": True}})
    with pytest.raises(RoutingRulesError, match="unknown condition 'place_named'"):
        parse_rules(data)


def test_danger_crisis_gets_no_psychosocial_team(rules: RoutingRules) -> None:
    selectors = [t.selector for t in routing_targets(Facts(crisis_kind="urgent_danger"), "critical", rules)]
    assert "service:red_cross_psychosocial" not in selectors


@pytest.mark.parametrize("ground", ["ethnicity", "religion", "displaced", "roma"])
def test_legal_aid_needs_consent(rules: RoutingRules, ground: str) -> None:
    facts = Facts(incident_type="discrimination", discrimination_ground=ground, school_named=True)
    assert routing_targets(facts, "medium", rules) == [COUNSELLOR, LEGAL_AID]


@pytest.mark.parametrize("ground", ["gender", "disability", "language", "other", None])
def test_other_grounds_get_no_legal_aid(rules: RoutingRules, ground: str | None) -> None:
    facts = Facts(incident_type="discrimination", discrimination_ground=ground, school_named=True)
    assert routing_targets(facts, "medium", rules) == [COUNSELLOR]


def test_home_violence_adds_social_welfare(rules: RoutingRules) -> None:
    facts = Facts(incident_type="other", description="kod kuće me tuku", school_named=True)
    assert routing_targets(facts, "high", rules) == [COUNSELLOR, WELFARE]


def test_additions_combine(rules: RoutingRules) -> None:
    facts = Facts(
        crisis_kind="self_harm",
        incident_type="discrimination",
        discrimination_ground="religion",
        description="my father beats me",
        school_named=True,
    )
    assert routing_targets(facts, "critical", rules) == [
        COUNSELLOR,
        PRINCIPAL,
        RED_CROSS,
        PSYCHOSOCIAL,
        LEGAL_AID,
        WELFARE,
    ]


def test_routing_uses_the_severity_given(rules: RoutingRules) -> None:
    # The severity is an input (staff may have changed it), not recomputed from the facts.
    facts = Facts(incident_type="other", school_named=True)
    assert routing_targets(facts, "critical", rules) == [COUNSELLOR, PRINCIPAL, RED_CROSS]


def test_routing_rejects_an_unknown_severity(rules: RoutingRules) -> None:
    with pytest.raises(ValueError, match="urgent"):
        routing_targets(Facts(), "urgent", rules)


def test_a_selector_named_twice_is_alerted_once_with_the_first_reason() -> None:
    data = _shipped()
    data["routing"] = [
        {
            "reason": "first",
            "when": {"severity": "critical"},
            "notify": ["school:principal", "service:police"],
            "in_chain": True,
        },
        {
            "reason": "second",
            "when": {"danger_now": "yes"},
            "notify": ["service:police", "school:principal", "canton:coordinator"],
            "needs_consent": True,
        },
    ]
    rules = parse_rules(data)
    assert routing_targets(Facts(danger_now="yes"), "critical", rules) == [
        Target("school:principal", "first", True, False),
        Target("service:police", "first", True, False),
        Target("canton:coordinator", "second", False, True),
    ]


def test_escalation_chain(rules: RoutingRules) -> None:
    assert escalation_chain(rules) == [
        "school:backup_counsellor",
        "school:principal",
        "service:red_cross_duty",
        "canton:coordinator",
    ]


# --- loading and validation -------------------------------------------------------------


def test_shipped_file_loads_with_every_severity() -> None:
    rules = load_rules(DEFAULT_PATH)
    assert str(rules.timezone) == "Europe/Sarajevo"
    assert set(rules.deadlines) == set(SEVERITIES) == set(rules.escalation_interval)
    assert rules.severity_rules[-1].when == () and rules.severity_rules[-1].severity == "low"


def test_rules_are_cached_per_path(tmp_path: Path) -> None:
    copy = tmp_path / "routing.yml"
    copy.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_rules(copy) is load_rules(copy)
    assert load_rules(copy) is not load_rules(DEFAULT_PATH)


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "routing.yml"
    data = _shipped()
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    before = load_rules(path)
    data["escalation_chain"] = ["canton:coordinator"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    later = path.stat().st_mtime_ns + 10**9  # a coarse file-system clock may not tick
    os.utime(path, ns=(later, later))
    assert escalation_chain(load_rules(path)) == ["canton:coordinator"]
    assert escalation_chain(before) != ["canton:coordinator"]


def test_environment_variable_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _shipped()
    data["escalation_chain"] = ["service:police"]
    path = tmp_path / "other.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(path))
    assert escalation_chain() == ["service:police"]
    monkeypatch.delenv(ENV_VAR)
    assert escalation_chain()[0] == "school:backup_counsellor"


def test_default_rules_are_used_when_none_are_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert triage(Facts(incident_type="sexual")) == Triage("high", SEXUAL)


Edit = Callable[[dict[str, Any]], None]


def _set(section: str, index: int, key: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data[section][index][key] = value

    return edit


def _set_when(section: str, index: int, name: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data[section][index].setdefault("when", {})[name] = value

    return edit


@pytest.mark.parametrize(
    "edit, place, words",
    [
        (_set("severity_rules", 2, "severity", "urgent"), "severity_rules[2] (rule 3), key 'severity'", ["urgent"]),
        (
            _set_when("severity_rules", 3, "wepon", True),
            "severity_rules[3] (rule 4), key 'when.wepon'",
            ["unknown condition"],
        ),
        (
            _set_when("severity_rules", 0, "severity", "high"),  # circular: severity decides itself
            "severity_rules[0] (rule 1), key 'when.severity'",
            ["unknown condition"],
        ),
        (
            _set_when("severity_rules", 4, "incident_type", ["threats", "fight"]),
            "severity_rules[4] (rule 5), key 'when.incident_type'",
            ["'fight'"],
        ),
        (
            _set_when("severity_rules", 1, "weapon", "sometimes"),
            "severity_rules[1] (rule 2), key 'when.weapon'",
            ["true or false"],
        ),
        (_set_when("severity_rules", 11, "home", True), "severity_rules[11] (rule 12), key 'when'", ["last rule"]),
        (
            _set("routing", 1, "notify", ["canton:coordinator", "school:janitor"]),
            "routing[1] (rule 2), key 'notify[1]'",
            ["school:janitor", "unknown selector"],
        ),
        (
            _set_when("routing", 4, "discrimination_ground", "accent"),
            "routing[4] (rule 5), key 'when.discrimination_ground'",
            ["'accent'"],
        ),
        (_set_when("routing", 2, "severity", "urgent"), "routing[2] (rule 3), key 'when.severity'", ["'urgent'"]),
        (_set("routing", 3, "in_chain", "maybe"), "routing[3] (rule 4), key 'in_chain'", ["true or false"]),
        (_set("routing", 0, "notfy", ["school:counsellor"]), "routing[0] (rule 1), key 'notfy'", ["unknown key"]),
    ],
)
def test_rule_errors_name_the_rule_and_key(tmp_path: Path, edit: Edit, place: str, words: list[str]) -> None:
    data = _shipped()
    edit(data)
    path = tmp_path / "routing.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RoutingRulesError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert message.startswith(f"{path.resolve()}: {place}: "), message
    for word in words:
        assert word in message


def _put(key: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data[key] = value

    return edit


def _drop(key: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        del data[key]

    return edit


@pytest.mark.parametrize(
    "edit, place",
    [
        (_put("escalation_chain", ["school:principal", "service:firemen"]), "escalation_chain[1]"),
        (
            _put("deadlines", {"critical": {"minutes": 10}, "high": {"hours": 4}, "medium": {"school_days": 2}}),
            "deadlines, key 'low'",
        ),
        (
            _put(
                "deadlines",
                {
                    "critical": {"weeks": 1},
                    "high": {"hours": 4},
                    "medium": {"school_days": 2},
                    "low": {"school_days": 5},
                },
            ),
            "deadlines, key 'critical'",
        ),
        (
            _put(
                "escalation_interval",
                {
                    "critical": {"minutes": 0},
                    "high": {"hours": 2},
                    "medium": {"school_days": 1},
                    "low": {"school_days": 2},
                },
            ),
            "escalation_interval, key 'critical'",
        ),
        (_put("holidays", ["2027-03-01", "1st of May"]), "holidays[1]"),
        (_put("timezone", "Europe/Livno"), "timezone"),
        (_put("holiday", ["2027-03-01"]), "holiday"),
        (_drop("routing"), "routing"),
    ],
)
def test_section_errors_name_the_place(edit: Edit, place: str) -> None:
    data = _shipped()
    edit(data)
    with pytest.raises(RoutingRulesError) as caught:
        parse_rules(data, source="routing.yml")
    assert str(caught.value).startswith(f"routing.yml: {place}: "), str(caught.value)


def test_unquoted_yes_for_danger_now_is_understood(tmp_path: Path) -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace('{danger_now: "yes"}', "{danger_now: yes}")
    assert "{danger_now: yes}" in text
    path = tmp_path / "routing.yml"
    path.write_text(text, encoding="utf-8")
    assert triage(Facts(danger_now="yes"), load_rules(path)) == Triage("critical", DANGER)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RoutingRulesError, match="cannot be read"):
        load_rules(tmp_path / "nothing.yml")


def test_a_broken_edit_keeps_the_last_good_rules_in_force(tmp_path) -> None:
    import shutil

    from bot.routing.rules import Facts
    from bot.routing.rules_file import DEFAULT_PATH, load_rules
    from bot.routing.triage import triage

    path = tmp_path / "routing.yml"
    shutil.copy(DEFAULT_PATH, path)
    good = load_rules(path)
    path.write_text("severity_rules: [oops", encoding="utf-8")
    import os

    os.utime(path, ns=(1, 1))  # a different modification time: the file is read again
    assert load_rules(path) is good
    assert triage(Facts(crisis_kind="self_harm"), load_rules(path)).severity == "critical"
