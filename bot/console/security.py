"""The console's defences that are not about who sees what: response headers, CSRF tokens,
and a limit on sign-in attempts per IP address (on top of the per-account lock-out)."""

from __future__ import annotations

import hmac
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from bot import settings

# No inline script or style anywhere: htmx and the stylesheet are files of this server.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
# Every page may show a case or an account: no copy in any cache.
PAGE_CACHE = "no-store"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class SecurityHeaders:
    """ASGI middleware adding the headers above to every response (static files are
    cacheable; pages are not)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = {k.decode().lower() for k, _ in message.get("headers", [])}
                # A response may set a stricter policy of its own (a reporter's file: a sandbox).
                headers = list(message.get("headers", []))
                headers += [(name.encode(), value.encode()) for name, value in HEADERS.items() if name not in own]
                if not static:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", PAGE_CACHE.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


def secure_cookies() -> bool:
    """Cookies are marked Secure when staff reach the console over https."""
    return settings.console_public_url().startswith("https://")


class AttemptLimit:
    """At most `limit` attempts per key (an IP address) in a sliding `window` of seconds.
    In memory: the console is one process, and a restart forgets only the count."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        moment = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen[key]
            while seen and seen[0] <= moment - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(moment)
            return True


def sign_in_limit() -> AttemptLimit:
    """Sign-in and invitation attempts per IP address: CONSOLE_SIGN_IN_PER_IP per 15 minutes
    (default 20, enough for a school's staff room behind one address)."""
    return AttemptLimit(int(settings.env("CONSOLE_SIGN_IN_PER_IP", "20")), 15 * 60)
