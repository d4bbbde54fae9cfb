"""Starts the real stack for conversation tests: `rasa run` with the trained model and our
REST channel, and the real action server, on free ports and a fresh database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.ops.supervisor import stack_commands
from bot.paths import PROJECT_DIR

MODEL = PROJECT_DIR / "models" / "javi-se.tar.gz"
STARTUP_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def endpoints_for(actions_port: int, directory: Path) -> Path:
    endpoints = yaml.safe_load((PROJECT_DIR / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    path = directory / f"endpoints-{actions_port}.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def http(method: str, url: str, body: bytes | None = None, content_type: str = "application/json") -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early; log:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up; log:\n{log.read_text()[-4000:]}")


def _wait_for_line(log: Path, line: str, process: subprocess.Popen[bytes], offset: int = 0) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early; log:\n{log.read_text()[-4000:]}")
        if line in log.read_text(errors="replace")[offset:]:
            return
        time.sleep(0.2)
    raise RuntimeError(f"'{line}' never appeared; log:\n{log.read_text()[-4000:]}")


# Channel settings for tests: fake APIs on this machine, test-only secrets.
TELEGRAM_TOKEN = "123456:TEST-TOKEN"
TELEGRAM_SECRET = "test-webhook-secret"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "test-auth-token"
TWILIO_NUMBER = "+38730000000"
STAFF_TOKEN = "654321:STAFF-TOKEN"
SECRET_KEY = "test-secret-key"
STAFF_SECRET = "test-staff-secret"


@dataclass
class Stack:
    database_url: str
    workdir: Path
    with_actions: bool = True
    with_fakes: bool = False
    with_worker: bool = False
    with_console: bool = False
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    telegram_port: int = field(default_factory=free_port)
    twilio_port: int = field(default_factory=free_port)
    console_port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def telegram_api(self) -> str:
        return f"http://127.0.0.1:{self.telegram_port}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.console_port}"

    @property
    def twilio_api(self) -> str:
        return f"http://127.0.0.1:{self.twilio_port}"

    def channel_env(self) -> dict[str, str]:
        return {
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM_NUMBER": TWILIO_NUMBER,
            "PUBLIC_BASE_URL": self.base_url,
            "TELEGRAM_API_BASE_URL": self.telegram_api,
            "TWILIO_API_BASE_URL": self.twilio_api,
            "HOTLINE_SECRET_KEY": SECRET_KEY,
            "TELEGRAM_STAFF_BOT_TOKEN": STAFF_TOKEN,
            "TELEGRAM_STAFF_WEBHOOK_SECRET": STAFF_SECRET,
        }

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def start(self) -> Stack:
        if not MODEL.exists():
            raise RuntimeError(f"{MODEL} is missing: run `make train` (make test does)")
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            **self.channel_env(),
            **self.extra_env,
        }
        commands = stack_commands(
            self.rasa_port, self.actions_port, str(endpoints_for(self.actions_port, self.workdir))
        )
        commands["fakes"] = (
            f"{Path(sys.executable).parent / 'hotline'} fakes "
            f"--telegram-port {self.telegram_port} --twilio-port {self.twilio_port}"
        )
        commands["worker"] = f"{Path(sys.executable).parent / 'hotline'} worker"
        commands["console"] = f"{Path(sys.executable).parent / 'hotline'} console --port {self.console_port}"
        names = (
            (["fakes"] if self.with_fakes else [])
            + (["actions"] if self.with_actions else [])
            + ["rasa"]
            + (["worker"] if self.with_worker else [])
            + (["console"] if self.with_console else [])
        )
        self._env = env
        self._commands = commands
        for name in names:
            self.start_process(name)
        return self

    def start_process(self, name: str) -> subprocess.Popen[bytes]:
        log = self.workdir / f"{name}-{self.rasa_port}.log"
        offset = len(log.read_text(errors="replace")) if log.exists() else 0
        process = subprocess.Popen(
            self._commands[name],
            shell=True,
            cwd=str(PROJECT_DIR),
            env=self._env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self.names.append(name)
        if name == "worker":
            _wait_for_line(log, "worker started", process, offset)
            return process
        _wait_for(
            {
                "fakes": f"{self.twilio_api}/_recorded",
                "actions": f"http://127.0.0.1:{self.actions_port}/health",
                "rasa": f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/",
                "console": f"{self.console_url}/healthz",
            }[name],
            process,
            log,
        )
        if name == "fakes":
            _wait_for(f"{self.telegram_api}/_recorded", process, log)
        return process

    def kill_process(self, name: str) -> None:
        """SIGKILL a process of the stack (a crash, not a shutdown)."""
        index = len(self.names) - 1 - self.names[::-1].index(name)
        process = self.processes.pop(index)
        self.names.pop(index)
        os.killpg(process.pid, 9)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, 15)
            except ProcessLookupError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        status, body = http("POST", self.webhook, json.dumps({"sender": sender, "message": text}).encode())
        assert status == 200, (status, body)
        return body

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.workdir.glob("*.log"))


def prepare_database(url: str) -> str:
    """Migrate the database and load the sample directory, its phones sealed with the key
    the stack runs with."""
    from bot.directory.import_export import import_directory
    from bot.paths import DATA_DIR
    from bot.storage.db import engine_for, session_scope
    from bot.storage.migrate import upgrade

    os.environ["HOTLINE_SECRET_KEY"] = SECRET_KEY
    upgrade(url)
    with session_scope(engine_for(url)) as session:
        import_directory(session, DATA_DIR / "directory.yml")
    return url
