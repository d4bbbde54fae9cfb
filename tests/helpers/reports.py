"""Reports filed the way a child files them, over the fake Telegram API into the running
stack (for the end-to-end tests of alerts, follow-up and the console)."""

from __future__ import annotations

import re
import time

from bot.devtools.channel_client import post_telegram, telegram_sent, text_update, wait_telegram
from bot.devtools.stack import Stack

CODE = re.compile(r"JS-[A-Z0-9]{4}-[A-Z0-9]{4}")

TELEGRAM_REPORT = [
    "zdravo",
    "želim prijaviti nasilje u školi",
    "2",
    "meni",
    "ucenik",
    "OS Uzorak 1 Livno",
    "danas",
    "Stalno mi se rugaju i skrivaju mi stvari.",
    "ne",
]


def telegram_report(stack: Stack, chat: int, contact: str) -> str:
    """A report over Telegram; returns its code (read from the bot's last reply)."""
    for text in [*TELEGRAM_REPORT, contact, "pošalji"]:
        count = len(telegram_sent(stack, chat))
        assert post_telegram(stack, text_update(chat, text)) == 200
        wait_telegram(stack, chat, count + 1)
        time.sleep(0.2)
    found = CODE.search(telegram_sent(stack, chat)[-1]["text"])
    assert found, telegram_sent(stack, chat)[-1]
    return found.group(0)
