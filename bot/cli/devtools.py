"""`hotline fakes` and `simulate`: the local demo without real Telegram or Twilio."""

from __future__ import annotations

import click


@click.command()
@click.option("--telegram-port", default=8081, show_default=True)
@click.option("--twilio-port", default=8082, show_default=True)
def fakes(telegram_port: int, twilio_port: int) -> None:
    """Run the fake Telegram Bot API and Twilio REST API servers (local demo, tests)."""
    from bot.devtools.serve import run_fakes

    run_fakes(telegram_port, twilio_port)


@click.command()
@click.argument("channel", type=click.Choice(["sms", "telegram"]))
def simulate(channel: str) -> None:
    """Chat in the terminal "as SMS" or "as Telegram" with the running local hotline."""
    from bot.devtools.simulate import simulate as run_simulation

    run_simulation(channel, read=lambda: input("> "))
