"""Typed menu titles and one-word openings mean what they say."""

import pytest
import yaml

from bot.nlu.commands import command_intent
from bot.paths import PROJECT_DIR
from bot.text.nlg import render_response


def _menu_buttons() -> list[tuple[str, str]]:
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    found = set()
    for variations in domain["responses"].values():
        for variation in variations:
            for button in variation.get("buttons") or []:
                payload = button["payload"]
                if payload.startswith("/") and "{" not in payload and payload[1:] not in ("affirm", "deny"):
                    found.add((button["title"], payload[1:]))
    return sorted(found)


@pytest.mark.parametrize("title, intent", _menu_buttons())
def test_every_menu_title_typed_in_any_script_means_its_button(title: str, intent: str) -> None:
    cyrillic = render_response({"text": title}, "bcs", "cyrillic")["text"]
    for typed in (title, title.lower(), title.upper(), cyrillic):
        assert command_intent(typed) == intent, typed


@pytest.mark.parametrize(
    "typed, intent",
    [
        ("prijava", "report_incident"),
        ("Prijavi nesto", "report_incident"),
        ("report", "report_incident"),
        ("pomoć", "help_menu"),
        ("help", "help_menu"),
        ("izbornik", "help_menu"),
        ("Провјери пријаву", "check_case"),
        ("prijavi neshto", "report_incident"),  # one typo
        ("JS-5DXB-FN5M 969119", "check_case"),
        ("checking my report js5dxbfn5m pin 969119", "check_case"),
    ],
)
def test_openings_and_codes(typed: str, intent: str) -> None:
    assert command_intent(typed) == intent


@pytest.mark.parametrize("typed", ["dva ucenika me tuku", "hello there", "", "ne znam", "meni je loše"])
def test_other_messages_are_not_commands(typed: str) -> None:
    assert command_intent(typed) is None
