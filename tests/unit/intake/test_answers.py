"""Answers in people's own words, question by question."""

import pytest

from bot.intake.answers import answer
from bot.intake.choices import SKIP


@pytest.mark.parametrize(
    "slot, typed, expected",
    [
        ("affected", "mojoj kćerki", "someone_else"),
        ("affected", "mom sinu", "someone_else"),
        ("affected", "i'd rather not say", SKIP),
        ("affected", "ne želim reći", SKIP),
        ("reporter_role", "ja sam mama", "parent"),
        ("reporter_role", "I'm his teacher", "staff"),
        ("reporter_role", "Roditelj ili staratelj", "parent"),
        ("reporter_role", "РОДИТЕЉ", "parent"),
        ("incident_time", "jučer", "this_week"),
        ("incident_time", "svaki tjedan", "ongoing"),
        ("incident_time", "last week", "earlier"),
        ("incident_time", "every day", "ongoing"),
        ("incident_time", "-", SKIP),
        ("danger_now", "not really, I'm at home now", "no"),
        ("danger_now", "ма да", "yes"),
        ("contact_ok", "može", "yes"),
        ("contact_ok", "naravno", "yes"),
        ("contact_ok", "ne može", "no"),
        ("contact_ok", "sure", "yes"),
        ("contact_ok", "nope", "no"),
        ("contact_ok", "ok", "yes"),
        ("incident_type", "Fizičko nasilje", "physical"),
        ("incident_type", "fizicko nasilje", "physical"),
        ("incident_type", "ФИЗИЧКО НАСИЉЕ", "physical"),
        ("incident_type", "5", "sexual"),
        ("confirm", "Send the report", "send"),
        ("confirm", "Pošalji prijavu", "send"),
        ("danger_now", "Send the report", None),
        ("school", "ne znam", SKIP),
    ],
)
def test_answers_in_own_words(slot: str, typed: str, expected) -> None:
    assert answer(slot, typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("7", "home"),
        ("tata me tuče", "home"),
        ("Код куће ме туку", "home"),
        ("my dad hits me", "home"),
        # A parent who says who they are is not reporting violence at home.
        ("ja sam mama, sina mi tuku u školi", "physical"),
        ("na putu kući su me tukli", "physical"),
    ],
)
def test_violence_at_home_is_recognised(typed: str, expected: str) -> None:
    assert answer("incident_type", typed) == expected
