"""`hotline telegram`: registering the bots' webhooks with Telegram."""

from __future__ import annotations

import click

from bot import settings


@click.group()
def telegram() -> None:
    """The Telegram bot."""


@telegram.command("set-webhook")
@click.option(
    "--staff",
    is_flag=True,
    help="The staff bot instead: TELEGRAM_STAFF_BOT_TOKEN at"
    " /webhooks/staff_telegram/webhook with TELEGRAM_STAFF_WEBHOOK_SECRET.",
)
def telegram_set_webhook(staff: bool) -> None:
    """Register PUBLIC_BASE_URL/webhooks/telegram/webhook with its secret token
    (with --staff: the staff bot's webhook, with its own token and secret)."""
    import asyncio

    from telegram import Bot

    bot_settings = settings.STAFF_BOT if staff else settings.HOTLINE_BOT
    token, secret = bot_settings.token, bot_settings.secret
    if not token or not secret:
        raise click.ClickException(f"set {bot_settings.token_variable} and {bot_settings.secret_variable} first")
    url = f"{settings.public_base_url()}/webhooks/{bot_settings.channel}/webhook"

    async def register() -> None:
        async with Bot(token, base_url=f"{settings.telegram_api_base_url()}/bot") as bot:
            await bot.set_webhook(
                url, secret_token=secret, allowed_updates=["message", "edited_message", "callback_query"]
            )

    asyncio.run(register())
    click.echo(f"{'staff bot ' if staff else ''}webhook set to {url}")
