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
        for label, app, port in (
            ("Telegram Bot API", fake_telegram.create_app(), telegram_port),
            ("Twilio REST API", fake_twilio.create_app(), twilio_port),
        ):
            try:
                runners.append(await _start(app, port))
                print(f"fake {label}: http://{HOST}:{port}", flush=True)
            except OSError as error:
                # Stay up without it: under the supervisor, a fake that exits would stop
                # the whole hotline, and the REST channel must keep working.
                print(
                    f"fake {label} NOT started (port {port}: {error.strerror}); "
                    "replies on that channel will be retried and logged",
                    flush=True,
                )
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
