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
@click.option("--host", envvar="CONSOLE_HOST", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", envvar="CONSOLE_PORT", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    envvar="CONSOLE_WORKERS",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Processes serving the console (one per core); the per-IP sign-in limit counts per process.",
)
def console(host: str, port: int, workers: int) -> None:
    """Serve the staff console (Starlette on uvicorn) on the hotline's database. Behind a
    proxy that speaks https, set CONSOLE_PUBLIC_URL=https://...: cookies are then Secure."""
    import uvicorn

    from bot import settings

    click.echo(f"Javi se console on http://{host}:{port} (staff open {settings.console_public_url()})")
    # Proxy headers are trusted from this machine only (a local nginx or HAProxy).
    uvicorn.run(
        "bot.console.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        log_level="warning",
    )


@click.command()
def shell() -> None:
    """Chat in the terminal (rasa shell), with the action server running beside it."""
    from bot.ops.supervisor import run_shell

    sys.exit(run_shell())
