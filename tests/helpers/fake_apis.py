"""The fake Telegram and Twilio APIs served in a thread of the test process, on a free
port, for tests whose code under test is synchronous (the console's pages)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from bot.devtools.stack import free_port


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    port, started, loop = free_port(), threading.Event(), asyncio.new_event_loop()
    runner = web.AppRunner(app)

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    assert started.wait(10), "the fake API did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
