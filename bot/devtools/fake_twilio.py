"""A fake Twilio REST API for the twilio library 8: `POST /2010-04-01/Accounts/<sid>/Messages.json`.

It answers like Twilio (201 and a message resource with every field `MessageInstance`
reads), demands basic auth, and refuses what Twilio refuses (no To, From or Body, a body
over 1600 characters), so that the demo and the tests catch those mistakes too."""

from __future__ import annotations

import math
import uuid
from email.utils import formatdate
from typing import Any

from aiohttp import BasicAuth, web
from multidict import MultiDictProxy

from bot.devtools.recorder import RECORDER, Recorder, add_control_routes

API_VERSION = "2010-04-01"
MAX_BODY = 1600
# GSM 03.38, written out here rather than imported from bot.channels.sms_text: the fake
# reports what Twilio would bill, as a check on the bot's own sizing, not as a copy of it.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")  # two septets each


def num_segments(body: str) -> int:
    """160 septets in one SMS, 153 per part once split; 70 and 67 UTF-16 units in UCS-2."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body)
        single, part = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {"code": code, "message": message, "status": status, "more_info": f"https://www.twilio.com/docs/errors/{code}"},
        status=status,
    )


def _authenticated(request: web.Request) -> bool:
    """Any credentials will do; what matters is that the client sends them."""
    try:
        auth = BasicAuth.decode(request.headers.get("Authorization", ""))
    except ValueError:
        return False
    return bool(auth.login)


def _problem(form: MultiDictProxy[Any]) -> tuple[int, str] | None:
    """Twilio's (error code, message) for a message it would not accept, or None."""
    body, media = form.get("Body", ""), form.getall("MediaUrl", [])
    if not form.get("To"):
        return 21604, "A 'To' phone number is required."
    if not form.get("From"):
        return 21603, "A 'From' phone number is required."
    if not body and not media:
        return 21602, "Message body is required."
    if len(body) > MAX_BODY:
        return 21617, f"The concatenated message body exceeds the {MAX_BODY} character limit."
    return None


def _params(account_sid: str, form: MultiDictProxy[Any]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "To": form.get("To"),
        "From": form.get("From"),
        "Body": form.get("Body", ""),
        "AccountSid": account_sid,
    }
    media = [str(url) for url in form.getall("MediaUrl", [])]
    if media:
        params["MediaUrl"] = media
    return params


def message_resource(params: dict[str, Any]) -> dict[str, Any]:
    """The JSON Twilio answers a create with; dates are RFC 2822, as the library parses."""
    account_sid, sid, now = params["AccountSid"], "SM" + uuid.uuid4().hex, formatdate(usegmt=True)
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}"
    return {
        "sid": sid,
        "account_sid": account_sid,
        "messaging_service_sid": None,
        "to": params["To"],
        "from": params["From"],
        "body": params["Body"],
        "status": "queued",
        "direction": "outbound-api",
        "api_version": API_VERSION,
        "num_segments": str(num_segments(params["Body"])),
        "num_media": str(len(params.get("MediaUrl", []))),
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "uri": f"{uri}.json",
        "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
    }


def _failure(status: int) -> web.Response:
    return _error(status, 20429 if status == 429 else 20500, "fake failure")


async def create_message(request: web.Request) -> web.Response:
    recorder = request.app[RECORDER]
    recorder.arrived()
    if not _authenticated(request):
        recorder.rejected()
        return _error(401, 20003, "Authenticate")
    form = await request.post()
    problem = _problem(form)
    if problem:
        recorder.rejected()
        return _error(400, *problem)
    status = recorder.take_failure()
    if status is not None:
        return _failure(status)
    if not await recorder.still_wanted(request):
        return _failure(499)
    params = _params(request.match_info["account_sid"], form)
    recorder.record("messages.create", params)
    return web.json_response(message_resource(params), status=201)


def create_app(recorder: Recorder | None = None) -> web.Application:
    app = web.Application()
    add_control_routes(app, recorder if recorder is not None else Recorder())
    app.router.add_post(f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json", create_message)
    return app
