"""A fake Telegram Bot API for python-telegram-bot 22, which is pointed at it with
`Bot(token, base_url=f"{BASE}/bot")`: calls arrive as `POST /bot<token>/<method>`.

Answers have the real API's shapes so that the library parses them as it would in
production, and it refuses what Telegram refuses (a malformed token, an empty or too long
text) so that the demo and the tests catch those mistakes too."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.devtools.recorder import RECORDER, Recorder, add_control_routes

BOT_USER: dict[str, Any] = {
    "id": 1,
    "is_bot": True,
    "first_name": "Javi se",
    "username": "javi_se_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_INTEGER = re.compile(r"-?\d+")
MAX_TEXT = 4096
# Form and multipart bodies carry every value as a string; these hold JSON (the library
# dumps them), and these are numeric ids, which tests compare with the ints they sent.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
        "commands",
        "results",
        "options",
        "scope",
    }
)
_ID_PARAMS = frozenset({"chat_id", "from_chat_id", "user_id", "message_id"})


@dataclass
class TelegramState:
    """What the fake must remember between calls, besides the record."""

    last_message_id: int = 0
    webhook: dict[str, Any] = field(default_factory=lambda: {"url": ""})

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


STATE = web.AppKey("telegram_state", TelegramState)
Handler = Callable[[TelegramState, dict[str, Any]], Any]


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if status == 429:  # without retry_after the library would not raise RetryAfter
        body["parameters"] = {"retry_after": 1}
    return web.json_response(body, status=status)


# --- request bodies -------------------------------------------------------------------


def _form_value(value: Any) -> Any:
    """An uploaded file is recorded by its description: the record must stay JSON."""
    if isinstance(value, web.FileField):
        return {"filename": value.filename, "content_type": value.content_type, "size": len(value.file.read())}
    return value


def _decoded(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _ID_PARAMS and _INTEGER.fullmatch(value):
        return int(value)
    return value  # "@channel" ids and texts such as "123" stay strings


async def _body(request: web.Request) -> dict[str, Any]:
    """JSON, form-encoded or multipart: the library picks by whether files are sent."""
    if request.content_type == "application/json":
        raw = await request.text()
        body = json.loads(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise ValueError("expected a JSON object")
        return body
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form: MultiDictProxy[Any] = await request.post()
        return {name: _form_value(value) for name, value in form.items()}
    return {}


async def read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = {**request.query, **await _body(request)}
    return {name: _decoded(name, value) for name, value in params.items()}


# --- methods --------------------------------------------------------------------------


def _get_me(state: TelegramState, params: dict[str, Any]) -> Any:
    return BOT_USER


def _send_message(state: TelegramState, params: dict[str, Any]) -> Any:
    message: dict[str, Any] = {
        "message_id": state.next_message_id(),
        "date": int(time.time()),
        "chat": {"id": params["chat_id"], "type": "private"},
        "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
        "text": params["text"],
    }
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:  # Telegram echoes only these
        message["reply_markup"] = markup
    return message


def _set_webhook(state: TelegramState, params: dict[str, Any]) -> Any:
    state.webhook = {"url": params.get("url", "")}
    if params.get("allowed_updates") is not None:
        state.webhook["allowed_updates"] = params["allowed_updates"]
    return True


def _delete_webhook(state: TelegramState, params: dict[str, Any]) -> Any:
    state.webhook = {"url": ""}  # as Telegram does: no webhook, getWebhookInfo says ""
    return True


def _get_webhook_info(state: TelegramState, params: dict[str, Any]) -> Any:
    return {**state.webhook, "has_custom_certificate": False, "pending_update_count": 0}


def _true(state: TelegramState, params: dict[str, Any]) -> Any:
    return True


def fake_file_content(file_id: str) -> bytes:
    """What the fake serves for a file: a few bytes that name it (tests compare them)."""
    return f"fake file {file_id}".encode()


def _get_file(state: TelegramState, params: dict[str, Any]) -> Any:
    file_id = str(params.get("file_id", ""))
    return {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_size": len(fake_file_content(file_id)),
        "file_path": f"photos/{file_id}.jpg",
    }


async def download_file(request: web.Request) -> web.Response:
    """`GET /file/bot<token>/<file_path>`, as python-telegram-bot downloads a file."""
    if not _TOKEN.fullmatch(request.match_info["token"]):
        return _error(404, "Not Found")
    file_id = request.match_info["path"].rsplit("/", 1)[-1].removesuffix(".jpg")
    return web.Response(body=fake_file_content(file_id), content_type="image/jpeg")


METHODS: dict[str, Handler] = {
    "getMe": _get_me,
    "sendMessage": _send_message,
    "answerCallbackQuery": _true,
    "leaveChat": _true,
    "setWebhook": _set_webhook,
    "deleteWebhook": _delete_webhook,
    "getWebhookInfo": _get_webhook_info,
    "getFile": _get_file,
}
_BY_LOWER = {name.lower(): name for name in METHODS}


def _canonical(method: str) -> str:
    """Telegram's method names are case-insensitive; the record uses the documented one."""
    return _BY_LOWER.get(method.lower(), method)


def _problem(method: str, params: dict[str, Any]) -> str | None:
    """The 400 description Telegram would give, or None."""
    if method != "sendMessage":
        return None
    if params.get("chat_id") in (None, ""):
        return "Bad Request: chat not found"
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        return "Bad Request: message text is empty"
    if len(text) > MAX_TEXT:
        return "Bad Request: message is too long"
    return None


async def api_call(request: web.Request) -> web.Response:
    recorder, state = request.app[RECORDER], request.app[STATE]
    recorder.arrived()
    if not _TOKEN.fullmatch(request.match_info["token"]):
        recorder.rejected()
        return _error(404, "Not Found")
    try:
        params = await read_params(request)
    except ValueError:
        recorder.rejected()
        return _error(400, "Bad Request: can't parse request body")
    method = _canonical(request.match_info["method"])
    problem = _problem(method, params)
    if problem:
        recorder.rejected()
        return _error(400, problem)
    status = recorder.take_failure()
    if status is not None:
        return _error(status, "fake failure")
    if method == "sendMessage" and not await recorder.still_wanted(request):
        return _error(499, "client went away")
    params = {**params, "_bot": request.match_info["token"].split(":")[0]}  # which bot sent it
    recorder.record(method, params)
    return _ok(METHODS.get(method, _true)(state, params))


def create_app(recorder: Recorder | None = None) -> web.Application:
    app = web.Application()
    app[STATE] = TelegramState()
    add_control_routes(app, recorder if recorder is not None else Recorder())
    app.router.add_route("*", "/bot{token}/{method}", api_call)
    app.router.add_get("/file/bot{token}/{path:.+}", download_file)
    return app
