"""Settings for the local demo: with no Telegram or Twilio credentials, `make run` starts the
fake APIs and uses these test-only values, so that a newcomer can chat "as SMS" and "as
Telegram" over exactly the production code path, signatures included."""

from __future__ import annotations

import os

TELEGRAM_PORT, TWILIO_PORT = 8081, 8082

DEMO_ENV = {
    "TELEGRAM_BOT_TOKEN": "100000:DEMO-ONLY-TOKEN",
    "TELEGRAM_STAFF_BOT_TOKEN": "200000:DEMO-ONLY-STAFF-TOKEN",  # the worker's staff alerts
    "TELEGRAM_WEBHOOK_SECRET": "demo-only-webhook-secret",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "demo-only-auth-token",
    "TWILIO_FROM_NUMBER": "+38730000000",
    "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{TELEGRAM_PORT}",
    "TWILIO_API_BASE_URL": f"http://127.0.0.1:{TWILIO_PORT}",
}


def needs_fakes(environ: dict[str, str] | None = None) -> bool:
    """Fakes run when no real credentials are configured and no API URL was given
    (an outside test that sets the URLs brings its own fake APIs)."""
    env = environ if environ is not None else dict(os.environ)
    given = any(env.get(k) for k in ("TELEGRAM_API_BASE_URL", "TWILIO_API_BASE_URL"))
    credentials = any(env.get(k) for k in ("TELEGRAM_BOT_TOKEN", "TWILIO_AUTH_TOKEN"))
    return not given and not credentials


def demo_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(environ if environ is not None else os.environ)
    return {**DEMO_ENV, **{k: v for k, v in env.items() if v}} if needs_fakes(env) else env
