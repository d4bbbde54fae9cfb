"""What the fake APIs share: a record of the calls the bot made, a failure budget to test
retries, and the control routes (`/_recorded`, `/_reset`, `/_fail`, `/_hold`, `/_stats`) through which
tests, benches and `hotline simulate` read and steer a fake from outside its process."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorder:
    """In memory only: a fake server lives as long as one demo or one test run."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0  # every API request, delivered or not
    failed: int = 0  # API requests answered with an error (injected or refused)
    _fail_left: int = 0
    _fail_status: int = 500
    _hold_left: int = 0
    _hold_seconds: float = 0.0
    _changed: asyncio.Event | None = None

    def changed(self) -> asyncio.Event:
        """Set when a call is recorded; lets `/_recorded?wait=S` answer as soon as one is."""
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def arrived(self) -> None:
        self.requests += 1

    def rejected(self) -> None:
        """A request the fake refused (no auth, bad parameters): not delivered."""
        self.failed += 1

    def fail_next(self, n: int, status: int = 500) -> None:
        self._fail_left, self._fail_status = n, status

    def take_failure(self) -> int | None:
        """The HTTP status to answer with while the failure budget lasts, else None."""
        if self._fail_left <= 0:
            return None
        self._fail_left -= 1
        self.failed += 1
        return self._fail_status

    def hold_next(self, n: int, seconds: float) -> None:
        self._hold_left, self._hold_seconds = n, seconds

    async def still_wanted(self, request: web.Request) -> bool:
        """Hold the next requests a while (as a slow API does); False when the client went
        away meanwhile: the call is then not delivered, as a real API would drop a request
        whose sender vanished before it was read."""
        if self._hold_left <= 0:
            return True
        self._hold_left -= 1
        await asyncio.sleep(self._hold_seconds)
        transport = request.transport
        return transport is not None and not transport.is_closing()

    def record(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        call = {"method": method, "params": params, "at": time.time()}
        self.calls.append(call)
        if self._changed is not None:
            self._changed.set()
            self._changed = None  # waiters hold the old event; new waiters get a fresh one
        return call

    def since(self, index: int = 0) -> list[dict[str, Any]]:
        return self.calls[index:]

    def reset(self) -> None:
        """Counters too, so that `calls == failed + recorded` holds after a reset."""
        self.calls.clear()
        self.requests = self.failed = self._fail_left = self._hold_left = 0
        self._fail_status = 500

    def stats(self) -> dict[str, int]:
        return {"calls": self.requests, "failed": self.failed, "recorded": len(self.calls)}


RECORDER = web.AppKey("recorder", Recorder)


async def _recorded(request: web.Request) -> web.Response:
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        since = -1
    if since < 0:
        return web.json_response({"error": "since must be a non-negative integer"}, status=400)
    recorder = request.app[RECORDER]
    wait = min(float(request.query.get("wait", "0") or 0), 30.0)
    if wait > 0 and not recorder.since(since):
        # Long poll: benches and the simulator wait here instead of polling in a loop.
        try:
            await asyncio.wait_for(recorder.changed().wait(), timeout=wait)
        except asyncio.TimeoutError:
            pass
    return web.json_response(recorder.since(since))


async def _reset(request: web.Request) -> web.Response:
    request.app[RECORDER].reset()
    return web.json_response({"ok": True})


def _failure_budget(body: Any) -> tuple[int, int]:
    """(count, status) from a `/_fail` body; ValueError if it makes no sense."""
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    count, status = body.get("count", 1), body.get("status", 500)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError("count must be a non-negative integer")
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        raise ValueError("status must be an HTTP error status (400-599)")
    return count, status


async def _fail(request: web.Request) -> web.Response:
    raw = await request.text()
    try:
        count, status = _failure_budget(json.loads(raw) if raw.strip() else {})
    except ValueError as error:  # json.JSONDecodeError is a ValueError too
        return web.json_response({"error": str(error)}, status=400)
    request.app[RECORDER].fail_next(count, status)
    return web.json_response({"ok": True, "count": count, "status": status})


async def _hold(request: web.Request) -> web.Response:
    """POST {"count": 1, "seconds": 5}: the next `count` messages sent wait `seconds` first."""
    try:
        body = json.loads(await request.text() or "{}")
        count, seconds = int(body.get("count", 1)), float(body.get("seconds", 5))
        if count < 0 or not 0 <= seconds <= 60:
            raise ValueError("count >= 0 and 0 <= seconds <= 60")
    except (ValueError, TypeError, AttributeError) as error:
        return web.json_response({"error": str(error)}, status=400)
    request.app[RECORDER].hold_next(count, seconds)
    return web.json_response({"ok": True, "count": count, "seconds": seconds})


async def _stats(request: web.Request) -> web.Response:
    return web.json_response(request.app[RECORDER].stats())


def add_control_routes(app: web.Application, recorder: Recorder) -> None:
    """Paths start with an underscore so they cannot clash with a real API path."""
    app[RECORDER] = recorder
    app.router.add_get("/_recorded", _recorded)
    app.router.add_post("/_reset", _reset)
    app.router.add_post("/_fail", _fail)
    app.router.add_post("/_hold", _hold)
    app.router.add_get("/_stats", _stats)
