"""The fake APIs answer the real clients (python-telegram-bot, twilio) as the real APIs do,
so that the demo and the end-to-end tests run the production code path unchanged."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, InvalidToken, NetworkError
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.devtools import fake_telegram, fake_twilio
from bot.devtools.fake_twilio import num_segments

PROJECT_DIR = Path(__file__).resolve().parents[3]
ACCOUNT = "AC" + "0" * 32


async def _serve(app: web.Application) -> AsyncIterator[str]:
    """The app on a free port (port 0: the OS picks, so parallel runs never collide)."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def telegram_api() -> AsyncIterator[str]:
    async for url in _serve(fake_telegram.create_app()):
        yield url


@pytest.fixture
async def twilio_api() -> AsyncIterator[str]:
    async for url in _serve(fake_twilio.create_app()):
        yield url


@pytest.fixture
async def twilio(twilio_api: str) -> AsyncIterator[Client]:
    client = Client(ACCOUNT, "token", http_client=AsyncTwilioHttpClient())
    client.api.base_url = twilio_api
    yield client
    await client.http_client.close()


async def _call(method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.request(method, url, **kwargs) as response:
        return response.status, await response.json(content_type=None)


async def _recorded(base: str, since: int = 0) -> list[dict[str, Any]]:
    status, calls = await _call("GET", f"{base}/_recorded?since={since}")
    assert status == 200
    return calls


async def _fail(base: str, count: int, status: int = 500) -> None:
    assert (await _call("POST", f"{base}/_fail", json={"count": count, "status": status}))[0] == 200


def _hi_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="/a")]])


# --- Telegram -------------------------------------------------------------------------


async def test_python_telegram_bot_sends_through_the_fake(telegram_api: str) -> None:
    async with Bot("123:ABC", base_url=f"{telegram_api}/bot") as bot:  # initialize(): getMe
        assert bot.username == "javi_se_bot" and bot.bot.first_name == "Javi se"
        message = await bot.send_message(chat_id=42, text="hi", reply_markup=_hi_markup())
        again = await bot.send_message(chat_id=42, text="two")
    assert message.chat.id == 42 and message.text == "hi" and message.from_user.is_bot
    assert message.reply_markup == _hi_markup()
    assert again.message_id == message.message_id + 1
    [sent, _] = [c for c in await _recorded(telegram_api) if c["method"] == "sendMessage"]
    assert sent["params"]["chat_id"] == 42 and sent["params"]["text"] == "hi"
    assert sent["params"]["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "/a"}]]}
    assert isinstance(sent["at"], float)


async def test_the_failure_budget_fails_one_send_then_lets_the_next_through(telegram_api: str) -> None:
    bot = Bot(token="123:ABC", base_url=f"{telegram_api}/bot")
    await bot.initialize()
    try:
        await _fail(telegram_api, 1)
        with pytest.raises(NetworkError, match="fake failure"):
            await bot.send_message(chat_id=42, text="lost")
        await bot.send_message(chat_id=42, text="delivered")
    finally:
        await bot.shutdown()
    texts = [c["params"]["text"] for c in await _recorded(telegram_api) if c["method"] == "sendMessage"]
    assert texts == ["delivered"]
    assert (await _call("GET", f"{telegram_api}/_stats"))[1] == {"calls": 3, "failed": 1, "recorded": 2}


async def test_webhook_calls_and_callback_answers_are_recorded(telegram_api: str) -> None:
    async with Bot("123:ABC", base_url=f"{telegram_api}/bot") as bot:
        assert await bot.set_webhook(
            "https://hotline.example/webhooks/telegram/webhook", secret_token="s3cret", allowed_updates=["message"]
        )
        info = await bot.get_webhook_info()
        assert info.url == "https://hotline.example/webhooks/telegram/webhook"
        assert info.allowed_updates == ("message",)
        assert await bot.answer_callback_query("cbq-1")
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.send_chat_action(chat_id=42, action="typing")  # any other method
    calls = await _recorded(telegram_api)
    methods = [c["method"] for c in calls]
    assert methods == [
        "getMe",
        "setWebhook",
        "getWebhookInfo",
        "answerCallbackQuery",
        "deleteWebhook",
        "getWebhookInfo",
        "sendChatAction",
    ]
    assert calls[1]["params"]["secret_token"] == "s3cret"
    assert calls[1]["params"]["allowed_updates"] == ["message"]
    assert [c["method"] for c in await _recorded(telegram_api, since=5)] == methods[5:]


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
async def test_every_body_encoding_is_accepted(telegram_api: str, encoding: str) -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "B", "callback_data": "/b"}]]})
    fields = {"chat_id": "-100", "text": "123", "reply_markup": markup}
    if encoding == "json":
        body: dict[str, Any] = {"json": {**fields, "chat_id": -100}}
    elif encoding == "form":
        body = {"data": fields}
    else:
        form = aiohttp.FormData(fields)
        form.add_field("photo", b"\x89PNG...", filename="a.png", content_type="image/png")
        body = {"data": form}
    status, answer = await _call("POST", f"{telegram_api}/bot123:ABC/sendMessage", **body)
    assert status == 200 and answer["ok"] and answer["result"]["chat"] == {"id": -100, "type": "private"}
    [call] = await _recorded(telegram_api)
    assert call["params"]["chat_id"] == -100 and call["params"]["text"] == "123"  # text stays text
    assert call["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/b"
    if encoding == "multipart":
        assert call["params"]["photo"] == {"filename": "a.png", "content_type": "image/png", "size": 7}


async def test_what_telegram_refuses_is_refused_and_not_recorded(telegram_api: str) -> None:
    async with Bot("123:ABC", base_url=f"{telegram_api}/bot") as bot:
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(chat_id=42, text="x" * 4097)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(chat_id=42, text=" ")
    with pytest.raises(InvalidToken):
        await Bot("not-a-token", base_url=f"{telegram_api}/bot").initialize()
    assert [c["method"] for c in await _recorded(telegram_api)] == ["getMe"]
    assert (await _call("GET", f"{telegram_api}/_stats"))[1] == {"calls": 4, "failed": 3, "recorded": 1}


# --- Twilio ---------------------------------------------------------------------------


async def test_twilio_client_sends_through_the_fake(twilio: Client, twilio_api: str) -> None:
    msg = await twilio.messages.create_async(to="+38761000000", from_="+38762000000", body="Zdravo")
    assert msg.sid.startswith("SM") and len(msg.sid) == 34 and msg.status == "queued"
    assert (msg.to, msg.from_, msg.body, msg.account_sid) == ("+38761000000", "+38762000000", "Zdravo", ACCOUNT)
    assert msg.num_segments == "1" and msg.date_created is not None and msg.uri.endswith(f"{msg.sid}.json")
    [call] = await _recorded(twilio_api)
    assert call["method"] == "messages.create"
    assert call["params"] == {"To": "+38761000000", "From": "+38762000000", "Body": "Zdravo", "AccountSid": ACCOUNT}


async def test_twilio_failure_budget_raises_then_recovers(twilio: Client, twilio_api: str) -> None:
    await _fail(twilio_api, 2)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            await twilio.messages.create_async(to="+38761000000", from_="+38762000000", body="x")
        assert raised.value.status == 500
    await twilio.messages.create_async(to="+38761000000", from_="+38762000000", body="y")
    assert [c["params"]["Body"] for c in await _recorded(twilio_api)] == ["y"]
    assert (await _call("GET", f"{twilio_api}/_stats"))[1] == {"calls": 3, "failed": 2, "recorded": 1}


async def test_twilio_refuses_requests_without_basic_auth(twilio_api: str) -> None:
    url = f"{twilio_api}/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    status, error = await _call("POST", url, data={"To": "+1", "From": "+2", "Body": "x"})
    assert status == 401 and error["code"] == 20003
    status, error = await _call("POST", url, data={"From": "+2", "Body": "x"}, auth=aiohttp.BasicAuth(ACCOUNT, "token"))
    assert status == 400 and error["code"] == 21604
    assert await _recorded(twilio_api) == []


async def test_segments_are_counted_like_twilio_bills_them(twilio: Client) -> None:
    latin = await twilio.messages.create_async(to="+1", from_="+2", body="a" * 161)
    bosnian = await twilio.messages.create_async(to="+1", from_="+2", body="č" * 71)
    assert (latin.num_segments, bosnian.num_segments) == ("2", "2")
    assert [num_segments(t) for t in ("a" * 160, "€" * 80, "č" * 70, "č" * 135)] == [1, 1, 1, 3]


# --- control routes and the runner ----------------------------------------------------


async def test_reset_clears_calls_failures_and_counters(twilio: Client, twilio_api: str) -> None:
    await twilio.messages.create_async(to="+1", from_="+2", body="x")
    await _fail(twilio_api, 5)
    assert (await _call("POST", f"{twilio_api}/_reset"))[0] == 200
    assert await _recorded(twilio_api) == []
    assert (await _call("GET", f"{twilio_api}/_stats"))[1] == {"calls": 0, "failed": 0, "recorded": 0}
    await twilio.messages.create_async(to="+1", from_="+2", body="no failure left")
    assert (await _call("POST", f"{twilio_api}/_fail", json={"count": -1}))[0] == 400
    assert (await _call("GET", f"{twilio_api}/_recorded?since=x"))[0] == 400


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_run_fakes_serves_both_until_sigterm() -> None:
    telegram_port, twilio_port = _free_port(), _free_port()
    code = f"from bot.devtools.serve import run_fakes; run_fakes({telegram_port}, {twilio_port})"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        text=True,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    try:
        assert f":{telegram_port}" in process.stdout.readline()  # type: ignore[union-attr]
        assert f":{twilio_port}" in process.stdout.readline()  # type: ignore[union-attr]
        for port in (telegram_port, twilio_port):
            assert await _call("GET", f"http://127.0.0.1:{port}/_recorded") == (200, [])
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


async def test_recorded_can_long_poll_for_the_next_call() -> None:
    """`/_recorded?since=N&wait=S` answers as soon as a call is recorded (benches use it)."""
    import asyncio

    import aiohttp
    from aiohttp import web

    from bot.devtools import fake_twilio

    runner = web.AppRunner(fake_twilio.create_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:

            async def poll() -> list:
                async with session.get(f"{base}/_recorded?since=0&wait=10") as response:
                    return await response.json()

            waiting = asyncio.create_task(poll())
            await asyncio.sleep(0.2)
            assert not waiting.done()
            auth = aiohttp.BasicAuth("AC" + "0" * 32, "token")
            form = {"To": "+38761000000", "From": "+38762000000", "Body": "hi"}
            await session.post(f"{base}/2010-04-01/Accounts/{'AC' + '0' * 32}/Messages.json", data=form, auth=auth)
            calls = await asyncio.wait_for(waiting, timeout=5)
            assert [c["params"]["Body"] for c in calls] == ["hi"]
    finally:
        await runner.cleanup()
