"""The console's texts: every key in both languages with the same placeholders, every key
a template or page asks for present, and every label group complete."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from bot.cases.vocabulary import CASE_STATUSES, GROUNDS, OUTCOMES, REFERRAL_STATUSES
from bot.console.texts import CONSOLE_DATA, ConsoleTexts, canned_replies
from bot.directory.entries import ROLES

CONSOLE = Path(__file__).parents[3] / "bot" / "console"
TEXTS = yaml.safe_load((CONSOLE_DATA / "texts.yml").read_text(encoding="utf-8"))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_is_in_both_languages_with_the_same_placeholders() -> None:
    for key, entry in TEXTS["texts"].items():
        assert set(entry) == {"bcs", "en"} and entry["bcs"].strip() and entry["en"].strip(), key
        assert _fields(entry["bcs"]) == _fields(entry["en"]), key


def test_every_key_the_templates_and_pages_use_exists() -> None:
    used = set()
    for source in [*CONSOLE.glob("templates/*.html"), *CONSOLE.glob("pages/*.py")]:
        used |= set(re.findall(r"\bt\(\"([a-z0-9_]+)\"(?!\s*[~+])", source.read_text(encoding="utf-8")))
    assert used and used - set(TEXTS["texts"]) == set()


@pytest.mark.parametrize(
    "group, values",
    [
        ("status", CASE_STATUSES),
        ("outcome", OUTCOMES),
        ("referral_status", REFERRAL_STATUSES),
        ("ground", GROUNDS),
        ("directory_role", tuple(role for roles in ROLES.values() for role in roles)),
        ("role", ("counsellor", "principal", "coordinator", "service", "administrator")),
    ],
)
def test_every_value_has_a_name_in_both_languages(group: str, values: tuple[str, ...]) -> None:
    assert set(TEXTS["labels"][group]) >= set(values), group
    for value in values:
        local, english = ConsoleTexts("bcs").label(group, value), ConsoleTexts("en").label(group, value)
        assert local.strip() and english.strip(), (group, value)


def test_ready_made_replies_have_both_languages_and_no_phone_numbers() -> None:
    local, english = canned_replies("bcs"), canned_replies("en")
    assert [r.key for r in local] == [r.key for r in english] and len(local) >= 5
    for reply in local + english:
        assert reply.label and reply.text and not re.search(r"\d{3}", reply.text), reply.key
