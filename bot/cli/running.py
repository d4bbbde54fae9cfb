"""`hotline run`, `worker` and `shell`: the hotline's processes."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--port", default=5005, show_default=True)
@click.option("--actions-port", default=5055, show_default=True)
def run(port: int, actions_port: int) -> None:
    """Run the Rasa server, the action server and the worker together (Ctrl-C stops all)."""
    from bot.ops.supervisor import run_stack

    click.echo(f"Javi se: REST channel on http://localhost:{port}/webhooks/rest/webhook")
    sys.exit(run_stack(port, actions_port))


@click.command()
def worker() -> None:
    """Send the outbox (staff alerts, messages to reporters) and escalate overdue cases,
    until Ctrl-C or SIGTERM. `hotline run` starts one; run one per database."""
    from bot.outbox.worker import run_worker

    run_worker()


@click.command()
def shell() -> None:
    """Chat in the terminal (rasa shell), with the action server running beside it."""
    from bot.ops.supervisor import run_shell

    sys.exit(run_shell())
