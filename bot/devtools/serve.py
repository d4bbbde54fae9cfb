"""`hotline fakes`: the fake Telegram Bot API and Twilio REST API on 127.0.0.1, both in one
asyncio loop, until Ctrl-C or SIGTERM (which is how the supervisor and tests stop them)."""
from __future__ import annotations

import asyncio
import signal

from aiohttp import web

from bot.devtools import fake_telegram, fake_twilio

HOST = "127.0.0.1"  # never exposed: the fakes accept any credentials


async def _start(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)  # the bot's own logs say what was sent
    await runner.setup()
    await web.TCPSite(runner, HOST, port).start()
    return runner


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)


async def _serve(telegram_port: int, twilio_port: int) -> None:
    stop = asyncio.Event()
    _stop_on_signals(stop)
    runners: list[web.AppRunner] = []
    try:
        runners.append(await _start(fake_telegram.create_app(), telegram_port))
        print(f"fake Telegram Bot API: http://{HOST}:{telegram_port} "
              f"(Bot(token, base_url='http://{HOST}:{telegram_port}/bot'))", flush=True)
        runners.append(await _start(fake_twilio.create_app(), twilio_port))
        print(f"fake Twilio REST API:  http://{HOST}:{twilio_port}", flush=True)
        print("recorded calls: GET /_recorded on either; Ctrl-C stops", flush=True)
        await stop.wait()
    finally:
        for runner in reversed(runners):
            await runner.cleanup()


def run_fakes(telegram_port: int, twilio_port: int) -> None:
    try:
        asyncio.run(_serve(telegram_port, twilio_port))
    except KeyboardInterrupt:  # a second Ctrl-C while cleaning up
        pass
