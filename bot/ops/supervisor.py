"""Runs the hotline as one unit (honcho): the Rasa server, the action server, the worker
that sends alerts and escalates cases, and on a machine without credentials the fake
Telegram and Twilio APIs. Their output is interleaved with a prefix, Ctrl-C stops them all,
and if one dies the others are stopped too."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from honcho.manager import Manager

from bot import settings
from bot.paths import PROJECT_DIR

# Rasa's dependencies print pages of deprecation warnings that hide the useful lines.
QUIET = {
    "PYTHONUNBUFFERED": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::PendingDeprecationWarning",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def stack_commands(rasa_port: int = 5005, actions_port: int = 5055, endpoints: str = "endpoints.yml") -> dict[str, str]:
    rasa = (
        f"{_bin('rasa')} run --model models --port {rasa_port} --cors '*' "
        f"--credentials credentials.yml --endpoints {endpoints}"
    )
    token = os.environ.get("HOTLINE_API_TOKEN")
    if token:  # Rasa's HTTP API shows conversations: only with a token
        rasa += f" --enable-api --auth-token {token}"
    return {
        "actions": f"{_bin('rasa')} run actions --port {actions_port} --actions actions",
        "rasa": rasa,
    }


def run_stack(rasa_port: int = 5005, actions_port: int = 5055) -> int:
    """The whole hotline; without Telegram/Twilio credentials, with the fake APIs."""
    from bot.devtools.demo import TELEGRAM_PORT, TWILIO_PORT, demo_environment, needs_fakes

    manager = Manager()
    with_fakes = needs_fakes()
    env = {**demo_environment(), **QUIET}
    commands = stack_commands(rasa_port, actions_port)
    # One worker per database: it sends the outbox (staff alerts, messages to reporters)
    # and escalates cases nobody acknowledged in time.
    commands["worker"] = f"{_bin('hotline')} worker"
    # The staff console, on the same database (CONSOLE_PORT, default 8000).
    commands["console"] = f"{_bin('hotline')} console"
    if with_fakes:
        commands["fakes"] = f"{_bin('hotline')} fakes --telegram-port {TELEGRAM_PORT} --twilio-port {TWILIO_PORT}"
        print(
            "No Telegram/Twilio credentials: using the local fake APIs. "
            "Chat with `.venv/bin/hotline simulate sms` or `... simulate telegram`; staff alerts "
            f"are recorded at http://127.0.0.1:{TELEGRAM_PORT}/_recorded and "
            f"http://127.0.0.1:{TWILIO_PORT}/_recorded."
        )
    print(
        "The worker sends staff alerts and escalates overdue cases; follow them with "
        "`.venv/bin/hotline case list` and `... case show CODE`. The staff console is at "
        f"{settings.console_public_url()} (README: signing in to the sample accounts)."
    )
    for name, command in commands.items():
        manager.add_process(name, command, cwd=str(PROJECT_DIR), env=env)
    manager.loop()
    return manager.returncode or 0


def run_shell(actions_port: int = 5055) -> int:
    """rasa shell in the foreground, with the action server running beside it."""
    import subprocess

    actions = subprocess.Popen(
        stack_commands(actions_port=actions_port)["actions"],
        shell=True,
        cwd=str(PROJECT_DIR),
        stdout=subprocess.DEVNULL,
    )
    try:
        return subprocess.call(
            [_bin("rasa"), "shell", "--model", "models", "--endpoints", "endpoints.yml"],
            cwd=str(PROJECT_DIR),
        )
    finally:
        actions.terminate()
        actions.wait(timeout=10)
