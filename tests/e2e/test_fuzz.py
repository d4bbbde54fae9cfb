"""Property-based fuzzing of both webhooks (hypothesis): signed Telegram updates and
Twilio forms of every shape, with wrong types, nulls, huge numbers, unknown fields and
bad Unicode. Whatever arrives, the answer is a deliberate 200, 400 or 413, never a 5xx,
and the server goes on answering a real conversation afterwards."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.devtools.channel_client import post_sms, post_telegram, text_update, wait_telegram
from bot.devtools.stack import Stack, http, prepare_database

pytestmark = pytest.mark.model

EXAMPLES = 250  # per webhook: about 15 seconds each on 2 cores
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DELIBERATE = {200, 400, 413}

# Any JSON value, with lone surrogates in strings and integers far beyond 64 bits.
wild_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=40)
any_text = st.text(max_size=40)  # well-formed, for fields of the right type
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | wild_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(wild_text, inner, max_size=3),
    max_leaves=8,
)


def field(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right type (so that deeper fields are reached), one time in six anything.
    (st.one_of would weigh them equally: it drops repeated strategies.)"""
    return st.integers(0, 5).flatmap(lambda n: json_value if n == 0 else good)


ids = st.integers(1, 10**6)
chat = st.fixed_dictionaries(
    {"id": field(ids)}, optional={"type": field(st.sampled_from(["private", "group", "supergroup", "channel"]))}
)
user = st.fixed_dictionaries(
    {"id": field(ids)},
    optional={"is_bot": field(st.booleans()), "first_name": field(any_text), "username": field(any_text)},
)
file = st.fixed_dictionaries(
    {"file_id": field(any_text)},
    optional={"file_unique_id": field(any_text), "file_size": field(ids), "mime_type": field(any_text)},
)
message = st.fixed_dictionaries(
    {"message_id": field(ids), "date": field(ids), "chat": field(chat)},
    optional={
        "from": field(user),
        "text": field(any_text),
        "caption": field(any_text),
        "photo": field(st.lists(file, max_size=2)),
        "document": field(file),
        "voice": field(file),
        "sticker": json_value,
        "location": json_value,
        "contact": json_value,
        "poll": json_value,
        "entities": json_value,
        "forward_origin": json_value,
        "media_group_id": field(any_text),
    },
)
callback = st.fixed_dictionaries(
    {"id": field(any_text)},
    optional={
        "from": field(user),
        "data": field(any_text),
        "message": field(message),
        "chat_instance": field(any_text),
    },
)
update = st.fixed_dictionaries(
    {"update_id": field(ids)},
    optional={
        "message": field(message),
        "edited_message": field(message),
        "channel_post": field(message),
        "callback_query": field(callback),
        "my_chat_member": json_value,
        "future_field": json_value,
    },
)

form_text = st.text(max_size=60)  # a form is text: surrogates cannot be form-encoded
phone = st.one_of(st.from_regex(r"\A(whatsapp:)?\+387[0-9]{8}\Z"), form_text)
sms_extra = st.dictionaries(
    st.sampled_from(
        [
            "NumMedia",
            "MediaUrl0",
            "MediaContentType0",
            "MediaUrl1",
            "ProfileName",
            "WaId",
            "NumSegments",
            "SmsStatus",
            "AccountSid",
            "ApiVersion",
        ]
    )
    | form_text,
    st.one_of(st.integers(-5, 20).map(str), form_text),
    max_size=5,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("fuzz")
    database = prepare_database(f"sqlite:///{workdir / 'hotline.db'}")
    running = Stack(database, workdir, with_fakes=True).start()
    yield running
    running.stop()


def _still_answers(stack: Stack) -> None:
    assert http("GET", f"{stack.base_url}/webhooks/telegram/")[0] == 200
    chat = 899999
    assert post_telegram(stack, text_update(chat, "zdravo")) == 200
    assert wait_telegram(stack, chat, 1, timeout=60)


def test_fuzzed_telegram_updates_get_a_deliberate_answer(stack: Stack) -> None:
    statuses: list[int] = []

    @FUZZ
    @given(field(update))
    def post(body: Any) -> None:
        status = post_telegram(stack, {}, body=json.dumps(body).encode())
        statuses.append(status)
        assert status in DELIBERATE, (status, body)

    post()
    assert len(statuses) == EXAMPLES and 200 in statuses and 400 in statuses
    _still_answers(stack)


def test_fuzzed_twilio_forms_get_a_deliberate_answer(stack: Stack) -> None:
    statuses: list[int] = []

    @FUZZ
    @given(
        phone,
        st.one_of(form_text, st.text(string.printable, min_size=2000, max_size=12000)),
        st.one_of(st.just(None), form_text),
        sms_extra,
    )
    def post(sender: str, body: str, sid: str | None, extra: dict[str, str]) -> None:
        status, answer = post_sms(stack, sender, body, sid=sid, extra=extra)
        statuses.append(status)
        assert status in DELIBERATE, (status, answer)
        assert "Traceback" not in answer

    post()
    assert len(statuses) == EXAMPLES and 200 in statuses and 400 in statuses
    _still_answers(stack)
