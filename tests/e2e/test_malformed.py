"""Signed but malformed webhooks get 400 (or 413 when too big), never a 500, and the
server goes on answering: every field the channels read, with each wrong type, null,
missing, huge, and badly formed Unicode."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from bot.devtools.channel_client import post_sms, post_telegram, text_update, wait_telegram
from bot.devtools.stack import Stack

pytestmark = pytest.mark.model

WRONG = {
    "an object": {"a": 1},
    "an array": [1, 2],
    "a huge integer": 2**64,
    "a boolean": True,
    "null": None,
    "a number": 12345,
    "a lone surrogate": "\ud800",
}


def _changed(update: dict, path: list[str], value: Any) -> dict:
    """The update with the field at `path` set to `value` (or removed: _MISSING)."""
    target = update
    for key in path[:-1]:
        target = target[key]
    if value is _MISSING:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return update


def _message(path: list[str], value: Any) -> dict:
    return _changed(text_update(700900, "zdravo", update_id=990000), path, value)


def _callback(path: list[str], value: Any) -> dict:
    return _changed(
        {
            "update_id": 990001,
            "callback_query": {
                "id": "cbq",
                "chat_instance": "x",
                "data": "/greet",
                "from": {"id": 700901, "is_bot": False, "first_name": "T"},
                "message": {"message_id": 1, "date": 1, "chat": {"id": 700901, "type": "private"}},
            },
        },
        path,
        value,
    )


_MISSING = object()
CASES = []
for field, build in [
    (["message", "text"], _message),
    (["message", "caption"], _message),
    (["message", "chat"], _message),
    (["message", "chat", "id"], _message),
    (["message", "from", "id"], _message),
    (["callback_query", "data"], _callback),
    (["callback_query", "message", "chat"], _callback),
    (["callback_query", "from"], _callback),
    (["callback_query", "id"], _callback),
]:
    for name, value in WRONG.items():
        if field[-1] in ("text", "caption", "data") and name == "null":
            continue  # null text is no text: a valid update
        if field[-1] == "id" and field[0] != "callback_query" and name == "a number":
            continue  # a number is what an id is
        CASES.append(pytest.param(build(field, copy.deepcopy(value)), id=f"{'.'.join(field)} is {name}"))
    if field[-1] in ("chat", "id", "from"):
        CASES.append(pytest.param(build(field, _MISSING), id=f"{'.'.join(field)} is missing"))
CASES.append(pytest.param(_message(["message", "text"], "a" * 20_000), id="message.text is huge"))
CASES.append(pytest.param(_message(["update_id"], 2**63), id="update_id is too big"))


@pytest.mark.parametrize("update", CASES)
def test_a_malformed_telegram_update_gets_400(stack: Stack, update: dict) -> None:
    status = post_telegram(stack, {}, body=json.dumps(update).encode())
    assert status in (400, 413), status


def test_an_oversized_body_gets_413(stack: Stack) -> None:
    assert post_telegram(stack, {}, body=b'{"update_id": 1, "x": "' + b"a" * 300_000 + b'"}') == 413


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"Body": "a" * 20_000}, 413),
        ({"MessageSid": "S" * 100}, 400),
        ({"From": "+" + "1" * 100}, 400),
        ({"Body": "nul\x00here"}, 200),
        ({"NumMedia": "many"}, 400),
    ],
    ids=["huge body", "huge sid", "huge from", "a NUL in the body (dropped)", "NumMedia not a number"],
)
def test_a_malformed_sms_gets_400_or_413(stack: Stack, fields: dict, expected: int) -> None:
    status, _ = post_sms(
        stack,
        fields.pop("From", "+38761900999"),
        fields.pop("Body", "zdravo"),
        sid=fields.pop("MessageSid", None),
        extra=fields,
    )
    assert status == expected


def test_the_server_still_answers_after_all_of_them(stack: Stack) -> None:
    assert post_telegram(stack, text_update(700902, "zdravo")) == 200
    assert wait_telegram(stack, 700902, 1)
